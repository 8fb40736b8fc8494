package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/verity-kyb/verity/web/api/openapi"
)

// The contract: every request the API tests send and every answer they get
// is checked against web/api/openapi/openapi.yaml (JSON Schema 2020-12, as
// OpenAPI 3.1 means it, by pb33f/libopenapi-validator). A request the
// document calls invalid must be refused (4xx); every answer must be one the
// document lists for that operation, body and headers included.
type contract struct {
	mu       sync.Mutex // the validator's caches are not documented as safe for concurrent use
	v        validator.Validator
	errorDoc *base.Schema // the Error schema, for paths the document does not have
	envelope *base.Schema // WebhookEnvelope, what a webhook delivery's body must be
}

var loadContract = sync.OnceValues(func() (*contract, error) {
	return newContract(openapi.YAML)
})

func newContract(spec []byte) (*contract, error) {
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		return nil, err
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("the document is not valid OpenAPI: %s", describe(verrs))
	}
	proxy, ok := model.Model.Components.Schemas.Get("Error")
	if !ok {
		return nil, fmt.Errorf("no Error schema")
	}
	env, ok := model.Model.Components.Schemas.Get("WebhookEnvelope")
	if !ok {
		return nil, fmt.Errorf("no WebhookEnvelope schema")
	}
	return &contract{v: v, errorDoc: proxy.Schema(), envelope: env.Schema()}, nil
}

// checkDelivery fails t when a webhook delivery's body is not the document's
// WebhookEnvelope (the 3.1 webhooks section).
func checkDelivery(t *testing.T, body []byte) {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok, verrs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(c.envelope, body); !ok {
		t.Errorf("contract: a webhook delivery is not a WebhookEnvelope: %s\n%s", describe(verrs), body)
	}
}

// exchange is one request with its answer, bodies read.
type exchange struct {
	req     *http.Request
	reqBody []byte
	res     *http.Response
	resBody []byte
}

// problems lists every way the exchange departs from the document.
func (c *contract) problems(x exchange) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	req := x.request()
	reqOK, reqErrs := c.v.ValidateHttpRequestSync(req)
	if !reqOK && unrouted(reqErrs) {
		// Not an operation of the document: the API must say 404 or 405 in
		// the error shape (the Allow header lists the methods on a 405).
		if x.res.StatusCode != http.StatusNotFound && x.res.StatusCode != http.StatusMethodNotAllowed {
			return []string{fmt.Sprintf("%s %s is no operation of the document, yet answered %d", req.Method, req.URL.Path, x.res.StatusCode)}
		}
		if ok, verrs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(c.errorDoc, x.resBody); !ok {
			return []string{"the 404/405 body is not an Error: " + describe(verrs)}
		}
		return nil
	}
	var out []string
	if !reqOK && x.res.StatusCode < 400 {
		out = append(out, fmt.Sprintf("the server accepted (%d) a request the document calls invalid: %s", x.res.StatusCode, describe(reqErrs)))
	}
	if ok, verrs := c.v.ValidateHttpResponse(x.request(), x.response()); !ok {
		out = append(out, fmt.Sprintf("answer %d: %s", x.res.StatusCode, describe(verrs)))
	}
	return out
}

func (x exchange) request() *http.Request {
	r := x.req.Clone(x.req.Context())
	r.Body = io.NopCloser(bytes.NewReader(x.reqBody))
	return r
}

func (x exchange) response() *http.Response {
	r := *x.res
	r.Body = io.NopCloser(bytes.NewReader(x.resBody))
	return &r
}

// unrouted tells a request for a path or method the document lacks.
func unrouted(errs []*liberrors.ValidationError) bool {
	for _, e := range errs {
		if e.ValidationType == helpers.PathValidation || e.ValidationSubType == helpers.ValidationMissingOperation {
			return true
		}
	}
	return false
}

func describe(errs []*liberrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  - %s: %s", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      %s: %s", s.FieldPath, s.Reason)
		}
	}
	return b.String()
}

// contractClient is an HTTP client whose every exchange is checked against
// the document (a violation fails t) and, with VERITY_API_RECORD set to a
// file, appended to that file for scripts/prism-check.sh.
func contractClient(t *testing.T) *http.Client {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: contractTransport{t: t, c: c, base: http.DefaultTransport}}
}

type contractTransport struct {
	t    *testing.T
	c    *contract
	base http.RoundTripper
}

func (ct contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	res, err := ct.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resBody, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	x := exchange{req: req, reqBody: reqBody, res: res, resBody: resBody}
	if !strings.HasPrefix(req.URL.Path, "/platform/v1/") {
		return res, nil // /healthz and the like are not the API's
	}
	for _, p := range ct.c.problems(x) {
		ct.t.Errorf("contract: %s %s: %s", req.Method, req.URL.RequestURI(), p)
	}
	record(ct.t, x)
	return res, nil
}

// recordMu serialises appends to the VERITY_API_RECORD file.
var recordMu sync.Mutex

// recorded is one exchange as scripts/prism-replay.mjs reads it.
type recorded struct {
	Method    string              `json:"method"`
	URI       string              `json:"uri"`
	Header    map[string][]string `json:"header"`
	Body      []byte              `json:"body"` // base64: the bytes as sent, invalid UTF-8 included
	Status    int                 `json:"status"`
	ResHeader map[string][]string `json:"resHeader"`
	ResBody   string              `json:"resBody"`
}

func record(t *testing.T, x exchange) {
	file := os.Getenv("VERITY_API_RECORD")
	if file == "" {
		return
	}
	line, err := json.Marshal(recorded{Method: x.req.Method, URI: x.req.URL.RequestURI(), Header: x.req.Header,
		Body: x.reqBody, Status: x.res.StatusCode, ResHeader: x.res.Header, ResBody: string(x.resBody)})
	if err != nil {
		t.Fatal(err)
	}
	recordMu.Lock()
	defer recordMu.Unlock()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		t.Fatal(err)
	}
}

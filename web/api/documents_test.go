package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/web/api"
	"github.com/verity-kyb/verity/web/webtest"
)

// newDocAPI is the site (APPROVAL_REQUIRES_DOCUMENTS as given) with a key
// owned by each staff user and a service key.
func newDocAPI(t *testing.T, rule bool) *caseAPI {
	t.Helper()
	s := webtest.NewWith(t, webtest.Options{Config: func(c *config.Config) { c.ApprovalRequiresDocuments = rule }})
	k := &caseAPI{t: t, site: s, keys: map[string]string{"service": s.APIKey(access.RoleOfficer)}}
	for _, name := range []string{"officer", "officer2", "admin", "viewer"} {
		u := s.Users[name]
		_, secret, err := s.Auth.IssueAPIKey(context.Background(), access.System("test"), auth.NewAPIKey{Name: name + " key", Role: u.Role, OwnerID: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		k.keys[name] = secret
	}
	return k
}

// send sends a request with a body and content type of the test's choosing.
func (k *caseAPI) send(method, path, key, contentType string, body io.Reader) (*http.Response, []byte) {
	k.t.Helper()
	req, err := http.NewRequest(method, k.site.URL+path, body)
	if err != nil {
		k.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+k.keys[key])
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := contractClient(k.t).Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func (k *caseAPI) count(q string, args ...any) int {
	k.t.Helper()
	var n int
	if err := k.site.DB.Get(&n, q, args...); err != nil {
		k.t.Fatal(err)
	}
	return n
}

// bvnkContent is the start of BVNK's example content, whole base64 groups:
// "%PDF-1.5\n%âãÏÓ\n1 0 obj\n<</Type /Page".
const bvnkContent = "JVBERi0xLjUKJeLjz9MKMSAwIG9iago8PC9UeXBlIC9QYWdl"

// bvnkBody is BVNK's example request, with the associate's reference.
func bvnkBody(person string) string {
	return `[
    {
        "type": "COMPANY_DOC",
        "subType": "INCORPORATION_CERT",
        "name": "Company Structure.pdf",
        "description": "Document optional description",
        "countryCode": "GB",
        "externalReference": "2b8d8bde-eef5-408a-9228-96bef24865ad",
        "content": "` + bvnkContent + `"
    },
    {
        "customerPersonReference": "` + person + `",
        "type": "PASSPORT",
        "subType": "FRONT_SIDE",
        "name": "John Smith Passport.pdf",
        "description": "Document optional description",
        "countryCode": "GB",
        "externalReference": "2b8d8bde-eef5-408a-9228-96bef24865ad",
        "content": "` + bvnkContent + `"
    }
]`
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func pngOf(n int) []byte {
	b := make([]byte, n)
	copy(b, []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
	return b
}

func docs(m map[string]any) []map[string]any {
	list, _ := m["documents"].([]any)
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i], _ = x.(map[string]any)
	}
	return out
}

func TestAPIDocumentUploadBVNKExample(t *testing.T) {
	k := newDocAPI(t, false)
	c := k.site.NewCustomer("officer", "")
	path := "/platform/v1/customers/" + c.Reference.String() + "/documents"
	person := c.Company.Associates[0].Person.Reference.String()
	st, _, m := k.do("POST", path, "officer", bvnkBody(person))
	up := docs(m)
	if st != http.StatusAccepted || len(up) != 2 {
		t.Fatalf("%d %v", st, m)
	}
	if up[0]["type"] != "COMPANY_DOC" || up[0]["subType"] != "INCORPORATION_CERT" || up[0]["customerPersonReference"] != nil ||
		up[0]["state"] != "PENDING_REVIEW" || up[0]["duplicate"] != false || up[0]["reference"] == "" ||
		up[1]["customerPersonReference"] != person || up[1]["name"] != "John Smith Passport.pdf" || up[1]["subType"] != "FRONT_SIDE" {
		t.Fatalf("%v", up)
	}
	st, _, m = k.do("GET", path, "viewer", "")
	list := docs(m)
	if st != 200 || len(list) != 2 || list[0]["description"] != "Document optional description" || list[0]["countryCode"] != "GB" ||
		list[0]["externalReference"] != "2b8d8bde-eef5-408a-9228-96bef24865ad" || list[0]["contentType"] != "application/pdf" ||
		list[1]["personName"] != "Sean Bond" || list[0]["current"] != true {
		t.Fatalf("%d %v", st, m)
	}
	ref := up[0]["reference"].(string)
	st, _, one := k.do("GET", path+"/"+ref, "viewer", "")
	if st != 200 || one["reference"] != ref || one["size"] != float64(36) {
		t.Fatalf("%d %v", st, one)
	}
	res, body := k.send("GET", path+"/"+ref+"/content", "viewer", "", nil)
	want, _ := base64.StdEncoding.DecodeString(bvnkContent)
	if res.StatusCode != 200 || !bytes.Equal(body, want) {
		t.Fatalf("%d %q", res.StatusCode, body)
	}
	h := res.Header
	if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Length") != "36" ||
		h.Get("Content-Disposition") != `attachment; filename="Company Structure.pdf"; filename*=UTF-8''Company%20Structure.pdf` {
		t.Fatalf("headers %v", h)
	}
	if n := k.count(`SELECT count(*) FROM audit_entries WHERE action = 'document.upload' AND customer_id = $1`, c.ID); n != 2 {
		t.Fatalf("%d audit entries", n)
	}
}

func TestAPIDocumentUploadRefusals(t *testing.T) {
	k := newDocAPI(t, false)
	c := k.site.NewCustomer("officer", "")
	other := k.site.NewCustomer("officer", "")
	path := "/platform/v1/customers/" + c.Reference.String() + "/documents"
	one := func(extra, content string) string {
		return `[{"type": "COMPANY_DOC", "subType": "INCORPORATION_CERT", "name": "scan.pdf"` + extra + `, "content": "` + content + `"}]`
	}
	nothingStored := func(t *testing.T) {
		t.Helper()
		if n := k.count(`SELECT count(*) FROM documents WHERE customer_id = $1`, c.ID); n != 0 {
			t.Fatalf("%d documents stored", n)
		}
		if n := k.count(`SELECT count(*) FROM document_chunks`); n != 0 {
			t.Fatalf("%d chunks stored", n)
		}
	}
	t.Run("ErrBadBase64", func(t *testing.T) {
		st, _, m := k.do("POST", path, "officer", one("", "JVBERi0x*!not base64"))
		if st != 400 || m["code"] != "validation_failed" || m["details"].(map[string]any)["errors"].(map[string]any)["[0].content"] == nil {
			t.Fatalf("%d %v", st, m)
		}
		st, _, m = k.do("POST", path, "officer", one("", "JVBERi0xL"))
		if st != 400 || m["details"].(map[string]any)["errors"].(map[string]any)["[0].content"] == nil {
			t.Fatalf("a cut-off group must be refused: %d %v", st, m)
		}
		nothingStored(t)
	})
	t.Run("ErrUnsupported/TextNamedPDF", func(t *testing.T) {
		st, _, m := k.do("POST", path, "officer", one("", b64([]byte("plain text pretending to be a PDF"))))
		if st != 415 || m["code"] != "unsupported_document" || !strings.Contains(m["message"].(string), "scan.pdf") {
			t.Fatalf("%d %v", st, m)
		}
		nothingStored(t)
	})
	t.Run("ErrTooLarge/TenMiBAndOneByte", func(t *testing.T) {
		st, _, m := k.do("POST", path, "officer", one("", b64(pngOf(10<<20+1))))
		if st != 413 || m["code"] != "document_too_large" {
			t.Fatalf("%d %v", st, m)
		}
		nothingStored(t)
	})
	t.Run("ErrWrongAssociate", func(t *testing.T) {
		body := `[{"customerPersonReference": "` + other.Company.Associates[0].Person.Reference.String() +
			`", "type": "PASSPORT", "name": "p.pdf", "content": "` + bvnkContent + `"}]`
		st, _, m := k.do("POST", path, "officer", body)
		errs, _ := m["details"].(map[string]any)["errors"].(map[string]any)
		if st != 400 || errs["[0].customerPersonReference"] == nil {
			t.Fatalf("%d %v", st, m)
		}
		nothingStored(t)
	})
	t.Run("ErrFourFiles", func(t *testing.T) {
		var parts []string
		for i, sub := range []string{"INCORPORATION_CERT", "REGISTER_EXTRACT", "SHAREHOLDER_REGISTER", "PROOF_OF_ADDRESS"} {
			parts = append(parts, fmt.Sprintf(`{"type": "COMPANY_DOC", "subType": %q, "name": "f%d.pdf", "content": %q}`, sub, i, b64([]byte(fmt.Sprintf("%%PDF-1.4 %d", i)))))
		}
		st, _, m := k.do("POST", path, "officer", "["+strings.Join(parts, ",")+"]")
		if st != 400 || m["code"] != "too_many_files" {
			t.Fatalf("%d %v", st, m)
		}
		nothingStored(t)
	})
	t.Run("ErrStrictJSON", func(t *testing.T) {
		for _, tc := range []struct{ body, field string }{
			{`[{"type": "COMPANY_DOC", "type": "PASSPORT", "name": "a.pdf", "content": "` + bvnkContent + `"}]`, "[0].type"},
			{`[{"typo": "COMPANY_DOC", "name": "a.pdf", "content": "` + bvnkContent + `"}]`, "[0].typo"},
			{`[{"type": "COMPANY_DOC", "content": "` + bvnkContent + `", "nmae": "a.pdf"}]`, "[0].nmae"},
			{"[{\"type\": \"COMPANY_DOC\", \"name\": \"a\xff.pdf\", \"content\": \"" + bvnkContent + "\"}]", "[0].name"},
			{`[{"type": 7, "name": "a.pdf", "content": "` + bvnkContent + `"}]`, "[0].type"},
			{`[{"type": "COMPANY_DOC", "name": "a\ud800.pdf", "content": "` + bvnkContent + `"}]`, "[0].name"},
			{`[{"type": "COMPANY_DOC", "name": "a.pdf"}]`, "[0].content"},
		} {
			st, _, m := k.do("POST", path, "officer", tc.body)
			errs, _ := m["details"].(map[string]any)["errors"].(map[string]any)
			if st != 400 || errs[tc.field] == nil {
				t.Fatalf("%s: %d %v", tc.body, st, m)
			}
		}
		for _, body := range []string{`{"type": "COMPANY_DOC"}`, `[{"type": "COMPANY_DOC", "name": "a.pdf", "content": "` + bvnkContent + `"}] trailing`, `[`} {
			if st, _, m := k.do("POST", path, "officer", body); st != 400 {
				t.Fatalf("%s: %d %v", body, st, m)
			}
		}
		nothingStored(t)
	})
	t.Run("ErrContentType", func(t *testing.T) {
		res, _ := k.send("POST", path, "officer", "text/plain", strings.NewReader(bvnkBody("x")))
		if res.StatusCode != 415 {
			t.Fatal(res.StatusCode)
		}
	})
	t.Run("ErrForbidden/Viewer", func(t *testing.T) {
		if st, _, m := k.do("POST", path, "viewer", bvnkBody(c.Company.Associates[0].Person.Reference.String())); st != 403 {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("OK/ContentBeforeMetadataAndEscapes", func(t *testing.T) {
		// content first, the rest after it; base64 with \/ escapes and \n line breaks, as some encoders write
		raw := b64(append(pngOf(8), []byte{0xFF, 0xFF, 0xFF, 0xFB, 0xEF, 0xBE}...)) // "…////++++" in base64
		esc := strings.ReplaceAll(raw[:8], "/", `\/`) + `\n` + strings.ReplaceAll(raw[8:], "/", `\/`)
		body := `[{"content": "` + esc + `", "name": "late.png", "type": "COMPANY_DOC", "subType": "PROOF_OF_ADDRESS"}]`
		st, _, m := k.do("POST", path, "officer", body)
		if st != 202 || docs(m)[0]["name"] != "late.png" || docs(m)[0]["subType"] != "PROOF_OF_ADDRESS" {
			t.Fatalf("%d %v", st, m)
		}
		res, got := k.send("GET", path+"/"+docs(m)[0]["reference"].(string)+"/content", "viewer", "", nil)
		want, _ := base64.StdEncoding.DecodeString(raw)
		if res.StatusCode != 200 || !bytes.Equal(got, want) || !strings.Contains(raw, "/") {
			t.Fatalf("%d %x, want %x", res.StatusCode, got, want)
		}
	})
	t.Run("OK/PNGNamedPDF", func(t *testing.T) {
		st, _, m := k.do("POST", path, "officer", one("", b64(pngOf(100))))
		if st != 202 {
			t.Fatalf("%d %v", st, m)
		}
		ref := docs(m)[0]["reference"].(string)
		res, _ := k.send("GET", path+"/"+ref+"/content", "viewer", "", nil)
		if res.Header.Get("Content-Type") != "image/png" || !strings.Contains(res.Header.Get("Content-Disposition"), `filename="scan.pdf.png"`) {
			t.Fatalf("%v", res.Header)
		}
	})
}

// Multipart: a metadata array first, then the files in the same order.
func TestAPIDocumentUploadMultipart(t *testing.T) {
	k := newDocAPI(t, false)
	c := k.site.NewCustomer("officer", "")
	path := "/platform/v1/customers/" + c.Reference.String() + "/documents"
	person := c.Company.Associates[0].Person.Reference.String()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	meta := `[{"type": "COMPANY_DOC", "subType": "REGISTER_EXTRACT", "name": "extract.pdf"},
	          {"customerPersonReference": "` + person + `", "type": "DRIVERS", "subType": "BACK_SIDE"}]`
	mh := textproto.MIMEHeader{}
	mh.Set("Content-Disposition", `form-data; name="metadata"`)
	mh.Set("Content-Type", "application/json")
	pw, _ := w.CreatePart(mh)
	_, _ = pw.Write([]byte(meta))
	fw, _ := w.CreateFormFile("files", "extract.pdf")
	_, _ = fw.Write([]byte("%PDF-1.7 extract"))
	fw, _ = w.CreateFormFile("files", "licence back.png")
	big := pngOf(700 << 10)
	_, _ = fw.Write(big)
	_ = w.Close()
	res, body := k.send("POST", path, "officer", w.FormDataContentType(), &buf)
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	up := docs(m)
	if res.StatusCode != 202 || len(up) != 2 || up[1]["type"] != "DRIVERS_LICENSE" || up[1]["name"] != "licence back.png" {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	res, got := k.send("GET", path+"/"+up[1]["reference"].(string)+"/content", "viewer", "", nil)
	if res.StatusCode != 200 || !bytes.Equal(got, big) {
		t.Fatalf("%d: %d bytes back of %d", res.StatusCode, len(got), len(big))
	}
	t.Run("ErrMetadataNotFirst", func(t *testing.T) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("files", "a.pdf")
		_, _ = fw.Write([]byte("%PDF-1.7"))
		_ = w.Close()
		if res, body := k.send("POST", path, "officer", w.FormDataContentType(), &buf); res.StatusCode != 400 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	})
}

// Review: the uploader — also through a key they own — may not decide.
func TestAPIDocumentReview(t *testing.T) {
	k := newDocAPI(t, false)
	c := k.site.NewCustomer("officer", "")
	path := "/platform/v1/customers/" + c.Reference.String() + "/documents"
	// uploaded on the officer's behalf through the service layer (as the page does)
	st, _, m := k.do("POST", path, "officer", bvnkBody(c.Company.Associates[0].Person.Reference.String()))
	if st != 202 {
		t.Fatalf("%d %v", st, m)
	}
	up := docs(m)
	ref := up[0]["reference"].(string)
	review := path + "/" + ref + "/review"
	t.Run("ErrFourEyes/UploadersKey", func(t *testing.T) {
		st, _, m := k.do("PUT", review, "officer", `{"decision": "ACCEPTED"}`)
		if st != 409 || m["code"] != "four_eyes" {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrFourEyes/UploadersPage", func(t *testing.T) {
		_, err := k.site.Documents.Review(context.Background(), k.site.Actor("officer"), c.Reference, uuidOf(t, ref), reviewAccept)
		if err == nil || !strings.Contains(err.Error(), "Four-eyes") {
			t.Fatalf("the uploader's page session reviewed: %v", err)
		}
	})
	t.Run("ErrRejectWithoutReason", func(t *testing.T) {
		st, _, m := k.do("PUT", review, "officer2", `{"decision": "REJECTED"}`)
		if st != 400 || m["details"].(map[string]any)["errors"].(map[string]any)["reason"] == nil {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("OK/AnotherOfficerRejects", func(t *testing.T) {
		st, _, m := k.do("PUT", review, "officer2", `{"decision": "REJECTED", "reason": "Blurred"}`)
		if st != 200 || m["state"] != "REJECTED" || m["reason"] != "Blurred" || m["reviewedBy"] == "" {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrUnknownField", func(t *testing.T) {
		st, _, _ := k.do("PUT", path+"/"+up[1]["reference"].(string)+"/review", "officer2", `{"decison": "ACCEPTED"}`)
		if st != 400 {
			t.Fatal(st)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if st, _, _ := k.do("GET", path+"/"+c.Reference.String(), "viewer", ""); st != 404 {
			t.Fatal(st)
		}
		if st, _, _ := k.do("GET", path+"/not-a-uuid/content", "viewer", ""); st != 404 {
			t.Fatal(st)
		}
	})
}

// With the rule on, requiredActions name the missing documents, in the
// customer and in the list, and approval waits for them.
func TestAPIRequiredActionsListDocuments(t *testing.T) {
	k := newDocAPI(t, true)
	c := k.site.NewCustomer("officer", "")
	cpath := "/platform/v1/customers/" + c.Reference.String()
	st, h, m := k.do("GET", cpath, "viewer", "")
	if got := strings.Join(actionCodes(m), " "); st != 200 || got != "document_missing document_missing" {
		t.Fatalf("%d %s", st, got)
	}
	etag := h.Get("ETag")
	_, _, l := k.do("GET", "/platform/v1/customers?q=Bond", "viewer", "")
	content, _ := l["content"].([]any)
	if len(content) != 1 || strings.Join(actionCodes(content[0].(map[string]any)), " ") != "document_missing document_missing" {
		t.Fatalf("list: %v", l)
	}
	st, _, m = k.do("PUT", cpath+"/status", "admin", `{"status": "VERIFIED"}`)
	if st != 409 || m["code"] != "approval_preconditions" {
		t.Fatalf("%d %v", st, m)
	}
	_, _, m = k.do("POST", cpath+"/documents", "officer", `[
	  {"type": "COMPANY_DOC", "subType": "REGISTER_EXTRACT", "name": "x.pdf", "content": "`+b64([]byte("%PDF-1.4 x"))+`"},
	  {"customerPersonReference": "`+c.Company.Associates[0].Person.Reference.String()+`", "type": "DRIVERS_LICENSE", "name": "dl.png", "content": "`+b64(pngOf(50))+`"}]`)
	for _, d := range docs(m) {
		if st, _, r := k.do("PUT", cpath+"/documents/"+d["reference"].(string)+"/review", "officer2", `{"decision": "ACCEPTED"}`); st != 200 {
			t.Fatalf("%d %v", st, r)
		}
	}
	// the version is the same, but a cache must not keep the old requiredActions
	st, _, m = k.do("GET", cpath, "viewer", "", "If-None-Match", etag)
	if st != 200 || len(actionCodes(m)) != 0 {
		t.Fatalf("%d %v", st, m["requiredActions"])
	}
	if st, _, m = k.do("PUT", cpath+"/status", "admin", `{"status": "VERIFIED"}`); st != 200 || m["status"] != "VERIFIED" {
		t.Fatalf("%d %v", st, m)
	}
}

var reviewAccept = document.ReviewInput{Decision: document.StateAccepted}

func uuidOf(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// The upload has its own body limit (files × size in base64, plus metadata);
// beyond it the request is refused before anything is read.
func TestAPIDocumentUploadBodyLimit(t *testing.T) {
	k := newDocAPI(t, false)
	c := k.site.NewCustomer("officer", "")
	limit := api.UploadBodyLimit(config.DefaultDocumentMaxFiles, config.DefaultDocumentMaxSize)
	req, _ := http.NewRequest("POST", k.site.URL+"/platform/v1/customers/"+c.Reference.String()+"/documents",
		io.LimitReader(zeros{}, limit+1))
	req.ContentLength = limit + 1
	req.Header.Set("Authorization", "Bearer "+k.keys["officer"])
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 413 {
		t.Fatalf("%d", res.StatusCode)
	}
	// another API route keeps 1 MiB
	st, _, m := k.do("PUT", "/platform/v1/customers/"+c.Reference.String()+"/documents/"+c.Reference.String()+"/review", "officer2",
		`{"decision": "ACCEPTED", "reason": "`+strings.Repeat("a", 1<<20)+`"}`)
	if st != 413 {
		t.Fatalf("%d %v", st, m["code"])
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"gopkg.in/yaml.v3"

	"github.com/verity-kyb/verity/internal/webhook"
	"github.com/verity-kyb/verity/web/api"
	"github.com/verity-kyb/verity/web/api/openapi"
)

// TestContractCatchesDepartures proves the contract check has teeth: real
// answers of the API, changed the way a careless edit of the code would
// change them, are each reported.
func TestContractCatchesDepartures(t *testing.T) {
	s := newServer(t)
	created := s.do("POST", "/platform/v1/customers", "officer", createBody)
	if created.status != 201 {
		t.Fatalf("%d %s", created.status, created.body)
	}
	ref := created.json(t)["reference"].(string)
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	get := func() exchange {
		req := httptest.NewRequest("GET", "http://verity.test/platform/v1/customers/"+ref, nil)
		req.Header.Set("Authorization", "Bearer "+s.keys["officer"])
		r := s.do("GET", "/platform/v1/customers/"+ref, "officer", "")
		return exchange{req: req, res: &http.Response{StatusCode: r.status, Header: r.header}, resBody: r.body}
	}
	if p := c.problems(get()); len(p) > 0 {
		t.Fatalf("the unchanged answer is not valid: %v", p)
	}
	edit := func(t *testing.T, x exchange, change func(m map[string]any)) exchange {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(x.resBody, &m); err != nil {
			t.Fatal(err)
		}
		change(m)
		x.resBody, _ = json.Marshal(m)
		return x
	}
	for name, change := range map[string]func(m map[string]any){
		"UndocumentedField":       func(m map[string]any) { m["internalId"] = 7 },
		"UndocumentedNestedField": func(m map[string]any) { m["company"].(map[string]any)["vatNumber"] = "GB1" },
		"MissingRequiredField":    func(m map[string]any) { delete(m, "requiredActions") },
		"WrongType":               func(m map[string]any) { m["reviewRequired"] = "no" },
		"NullWhereNotNullable":    func(m map[string]any) { m["company"].(map[string]any)["name"] = nil },
		"UnknownEnumValue":        func(m map[string]any) { m["status"] = "APPROVED" },
		"BadTimestamp":            func(m map[string]any) { m["createdAt"] = "yesterday" },
	} {
		t.Run(name, func(t *testing.T) {
			if p := c.problems(edit(t, get(), change)); len(p) == 0 {
				t.Fatal("the changed answer passed the contract check")
			}
		})
	}
	t.Run("UndocumentedStatus", func(t *testing.T) {
		x := get()
		x.res.StatusCode = http.StatusTeapot
		if p := c.problems(x); len(p) == 0 {
			t.Fatal("a 418 passed the contract check")
		}
	})
	t.Run("MissingETag", func(t *testing.T) {
		x := get()
		x.res.Header = x.res.Header.Clone()
		x.res.Header.Del("ETag")
		if p := c.problems(x); len(p) == 0 {
			t.Fatal("an answer without its ETag passed the contract check")
		}
	})
	t.Run("AcceptedInvalidRequest", func(t *testing.T) {
		// A note with an unknown field is invalid by the document; had
		// the server answered 201 to it, the check must say so.
		body := `{"text": "x", "colour": "red"}`
		req := httptest.NewRequest("POST", "http://verity.test/platform/v1/customers/"+ref+"/notes", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.keys["officer"])
		req.Header.Set("Content-Type", "application/json")
		okNote := `{"id": 1, "text": "x", "author": {"type": "apikey", "name": "k"}, "createdAt": "2026-11-25T10:00:00Z"}`
		x := exchange{req: req, reqBody: []byte(body), res: &http.Response{StatusCode: 201, Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"r1"}}}, resBody: []byte(okNote)}
		if p := c.problems(x); len(p) == 0 {
			t.Fatal("an accepted request with an unknown field passed the contract check")
		}
		x.reqBody = []byte(`{"text": "x"}`)
		if p := c.problems(x); len(p) != 0 {
			t.Fatalf("a good note exchange failed the check: %v", p)
		}
	})
}

// TestOpenAPIServedWithoutKey: the document is public, as JSON, and is the
// YAML source converted; other methods on its path are 405.
func TestOpenAPIServedWithoutKey(t *testing.T) {
	s := newServer(t)
	r := s.do("GET", "/platform/v1/openapi.json", "", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", r.status, r.header)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Paths["/customers/{reference}/status"]["put"] == nil {
		t.Fatalf("not the document: %.200s", r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control %q", r.header.Get("Cache-Control"))
	}
	wantError(t, s.do("POST", "/platform/v1/openapi.json", "", "{}"), 405, "method_not_allowed")
	if got := s.do("DELETE", "/platform/v1/openapi.json", "", "").header.Get("Allow"); got != "GET" {
		t.Fatalf("Allow %q", got)
	}
}

// TestOpenAPIListsEveryRoute: the document and the router name the same
// operations, so an endpoint no test calls is still documented (and a
// documented one still exists).
func TestOpenAPIListsEveryRoute(t *testing.T) {
	e := echo.New()
	api.Register(e.Group("/platform/v1"), api.Deps{Webhooks: &webhook.Service{}}) // registration only: no call reaches the service
	routed := map[string]bool{}
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/platform/v1/") || strings.Contains(r.Path, "*") || r.Method == echo.RouteNotFound {
			continue
		}
		routed[r.Method+" "+paramRE.ReplaceAllString(strings.TrimPrefix(r.Path, "/platform/v1"), "{}")] = true
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openapi.YAML, &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "patch", "delete", "head", "options":
				documented[strings.ToUpper(method)+" "+paramRE.ReplaceAllString(path, "{}")] = true
			}
		}
	}
	for op := range routed {
		if !documented[op] {
			t.Errorf("%s is routed but not in the OpenAPI document", op)
		}
	}
	for op := range documented {
		if !routed[op] {
			t.Errorf("%s is in the OpenAPI document but not routed", op)
		}
	}
	if len(routed) < 20 {
		t.Fatalf("only %d routes found: %v", len(routed), routed)
	}
}

// paramRE matches a path parameter in either spelling, ":reference" or "{reference}".
var paramRE = regexp.MustCompile(`:[A-Za-z]+|\{[A-Za-z]+\}`)

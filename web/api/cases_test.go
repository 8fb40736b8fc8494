package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/web/webtest"
)

// caseAPI is the site with one key owned by each named staff user, plus a service key.
type caseAPI struct {
	t    *testing.T
	site *webtest.Site
	keys map[string]string
}

func newCaseAPI(t *testing.T) *caseAPI {
	t.Helper()
	s := webtest.New(t)
	k := &caseAPI{t: t, site: s, keys: map[string]string{"service": s.APIKey(access.RoleAdmin)}}
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

func (k *caseAPI) do(method, path, key, body string, headers ...string) (int, http.Header, map[string]any) {
	k.t.Helper()
	req, err := http.NewRequest(method, k.site.URL+path, strings.NewReader(body))
	if err != nil {
		k.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+k.keys[key])
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := contractClient(k.t).Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return res.StatusCode, res.Header, m
}

func assigneeEmail(m map[string]any) any {
	a, ok := m["assignee"].(map[string]any)
	if !ok {
		return m["assignee"]
	}
	return a["email"]
}

func TestAPIAssignee(t *testing.T) {
	k := newCaseAPI(t)
	c := k.site.NewCustomer("officer", "")
	path := "/platform/v1/customers/" + c.Reference.String()
	t.Run("OK_JSONHasNewFields", func(t *testing.T) {
		st, _, m := k.do("GET", path, "viewer", "")
		if st != 200 || m["assignee"] != nil || m["statusSince"] == nil || m["reference"] == nil {
			t.Fatalf("%d %v", st, m)
		}
		if _, present := m["assignee"]; !present {
			t.Fatal("assignee must be present (null) when nobody owns the case")
		}
	})
	t.Run("OK_TakeAsKeyOwner", func(t *testing.T) {
		st, h, m := k.do("PUT", path+"/assignee", "officer", `{"assignee": "me"}`)
		if st != 200 || assigneeEmail(m) != "officer@verity.test" {
			t.Fatalf("%d %v", st, m)
		}
		if h.Get("ETag") != `"v1.a`+strconv.FormatInt(k.site.Users["officer"].ID, 10)+`"` {
			t.Fatalf("etag %s", h.Get("ETag"))
		}
	})
	t.Run("OK_IfMatchIgnoresAssignee", func(t *testing.T) {
		// An ETag read before the assignment still matches: assignment is no edit.
		st, _, m := k.do("PUT", path+"/assignee", "admin", `{"assignee": "officer2@verity.test"}`, "If-Match", `"v1"`)
		if st != 200 || assigneeEmail(m) != "officer2@verity.test" {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrStale", func(t *testing.T) {
		st, _, m := k.do("PUT", path+"/assignee", "admin", `{"assignee": null}`, "If-Match", `"v7"`)
		if st != 412 {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrOfficerTakesOthers", func(t *testing.T) {
		if st, _, m := k.do("PUT", path+"/assignee", "officer", `{"assignee": "me"}`); st != 403 {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrViewer", func(t *testing.T) {
		if st, _, m := k.do("PUT", path+"/assignee", "viewer", `{"assignee": null}`); st != 403 {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrStrictJSON", func(t *testing.T) {
		for _, body := range []string{`{"assignee": null, "extra": 1}`, `{}`, `{"assignee": true}`, `{"assignee": "viewer@verity.test"}`} {
			if st, _, m := k.do("PUT", path+"/assignee", "admin", body); st != 400 {
				t.Fatalf("%s: %d %v", body, st, m)
			}
		}
	})
	t.Run("ErrServiceKeyIsNobody", func(t *testing.T) {
		if st, _, m := k.do("PUT", path+"/assignee", "service", `{"assignee": "me"}`); st != 400 {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("OK_AdminUnassignsByNull", func(t *testing.T) {
		st, h, m := k.do("PUT", path+"/assignee", "admin", `{"assignee": null}`)
		if st != 200 || m["assignee"] != nil || h.Get("ETag") != `"v1"` {
			t.Fatalf("%d %v %s", st, m, h.Get("ETag"))
		}
	})
	t.Run("OK_ByNumericID", func(t *testing.T) {
		id := k.site.Users["officer2"].ID
		st, _, m := k.do("PUT", path+"/assignee", "admin", `{"assignee": `+strconv.FormatInt(id, 10)+`}`)
		if st != 200 || assigneeEmail(m) != "officer2@verity.test" {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("OK_ListFilter", func(t *testing.T) {
		st, _, m := k.do("GET", "/platform/v1/customers?assignee=me", "officer2", "")
		if st != 200 || m["totalElements"] != float64(1) {
			t.Fatalf("%d %v", st, m)
		}
	})
}

func TestAPINextCase(t *testing.T) {
	k := newCaseAPI(t)
	c := k.site.NewCustomer("admin", "")
	st, _, m := k.do("POST", "/platform/v1/cases/next", "officer", "")
	if st != 200 || m["reference"] != c.Reference.String() || assigneeEmail(m) != "officer@verity.test" {
		t.Fatalf("%d %v", st, m)
	}
	st, _, m = k.do("POST", "/platform/v1/cases/next", "officer2", "")
	if st != 404 || m["code"] != "no_case" {
		t.Fatalf("want 404 no_case, got %d %v", st, m)
	}
	if st, _, m = k.do("POST", "/platform/v1/cases/next", "service", ""); st != 400 {
		t.Fatalf("service key: %d %v", st, m)
	}
}

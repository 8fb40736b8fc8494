package api_test

import (
	"strconv"
	"strings"
	"testing"
)

func TestAPINotes(t *testing.T) {
	s := newServer(t)
	ref, _ := s.create("officer")
	path := "/platform/v1/customers/" + ref + "/notes"

	t.Run("ErrViewerForbidden", func(t *testing.T) {
		wantError(t, s.do("POST", path, "viewer", `{"text": "hi"}`), 403, "forbidden")
	})
	t.Run("ErrStrictJSON", func(t *testing.T) {
		wantError(t, s.do("POST", path, "officer", `{"text": "hi", "extra": 1}`), 400, "validation_failed", "extra")
	})
	t.Run("ErrBlank", func(t *testing.T) {
		wantError(t, s.do("POST", path, "officer", `{"text": "   "}`), 400, "validation_failed", "text")
		wantError(t, s.do("POST", path, "officer", `{"text": "`+strings.Repeat("a", 5001)+`"}`), 400, "validation_failed", "text")
	})
	t.Run("ErrUnknownCustomer", func(t *testing.T) {
		wantError(t, s.do("POST", "/platform/v1/customers/00000000-0000-0000-0000-000000000001/notes", "officer", `{"text": "x"}`), 404, "not_found")
	})
	t.Run("OK", func(t *testing.T) {
		r := s.do("POST", path, "officer", `{"text": "Called the CFO.\nSee https://example.com"}`)
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		n := r.json(t)
		author, _ := n["author"].(map[string]any)
		if n["text"] != "Called the CFO.\nSee https://example.com" || author["type"] != "apikey" || author["name"] != "officer" ||
			n["id"] == nil || n["createdAt"] == nil || n["statusChange"] != nil {
			t.Fatalf("note %s", r.body)
		}
		if r := s.do("PUT", "/platform/v1/customers/"+ref+"/status", "admin", `{"status": "REJECTED", "reason": "Shell company"}`); r.status != 200 {
			t.Fatalf("reject %d %s", r.status, r.body)
		}
		page := s.do("GET", path+"?size=1", "viewer", "").json(t)
		content := page["content"].([]any)
		first := content[0].(map[string]any)
		sc, _ := first["statusChange"].(map[string]any)
		if len(content) != 1 || page["hasNext"] != true || first["text"] != "Shell company" || sc["from"] != "PENDING" || sc["to"] != "REJECTED" {
			t.Fatalf("first page %v", page)
		}
		next := page["nextBefore"].(float64)
		rest := s.do("GET", path+"?size=1&before="+strconv.FormatInt(int64(next), 10), "viewer", "").json(t)
		if c := rest["content"].([]any); len(c) != 1 || c[0].(map[string]any)["text"] != n["text"] || rest["hasNext"] != false {
			t.Fatalf("second page %v", rest)
		}
	})
}

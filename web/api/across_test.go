package api_test

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
)

// raw is do without JSON: status, headers and the body as text.
func (k *caseAPI) raw(method, path, key string) (int, http.Header, string) {
	k.t.Helper()
	req, _ := http.NewRequest(method, k.site.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+k.keys[key])
	res, err := contractClient(k.t).Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, body)
	}
	return rows
}

func TestAPIAuditLog(t *testing.T) {
	k := newCaseAPI(t)
	ctx := context.Background()
	c := k.site.NewCustomer("officer", "")
	formula := `=HYPERLINK("http://evil.example")`
	if _, err := k.site.Customers.AddNote(ctx, k.site.Actor("officer"), c.Reference, customer.NoteInput{Text: &formula}); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrOfficer", func(t *testing.T) {
		if st, _, m := k.do("GET", "/platform/v1/audit", "officer", ""); st != 403 {
			t.Fatalf("%d %v", st, m)
		}
		if st, _, body := k.raw("GET", "/platform/v1/audit/export", "officer"); st != 403 {
			t.Fatalf("export: %d %s", st, body)
		}
	})
	t.Run("OK_FilterByCustomerAndKind", func(t *testing.T) {
		st, _, m := k.do("GET", "/platform/v1/audit?kind=customer&customer="+c.Reference.String(), "admin", "")
		content, _ := m["content"].([]any)
		if st != 200 || len(content) != 2 {
			t.Fatalf("want the create and the note: %d %v", st, m)
		}
		newest := content[0].(map[string]any)
		if newest["action"] != "customer.note" || newest["customerReference"] != c.Reference.String() ||
			newest["customerName"] != c.Company.Name || newest["actorName"] == "" {
			t.Fatalf("entry %v", newest)
		}
	})
	t.Run("OK_KeysetPaging", func(t *testing.T) {
		seen := map[float64]bool{}
		path := "/platform/v1/audit?size=1"
		for range 10 {
			st, _, m := k.do("GET", path, "admin", "")
			content, _ := m["content"].([]any)
			if st != 200 || len(content) != 1 {
				t.Fatalf("%d %v", st, m)
			}
			id := content[0].(map[string]any)["id"].(float64)
			if seen[id] {
				t.Fatalf("entry %v twice", id)
			}
			seen[id] = true
			if m["hasNext"] != true {
				break
			}
			path = "/platform/v1/audit?size=1&before=" + strconv.FormatFloat(m["nextBefore"].(float64), 'f', 0, 64)
		}
		if len(seen) < 3 {
			t.Fatalf("paged through %d entries only", len(seen))
		}
	})
	t.Run("ErrBadFilter", func(t *testing.T) {
		st, _, m := k.do("GET", "/platform/v1/audit?from=yesterday&size=500", "admin", "")
		errs, _ := m["details"].(map[string]any)["errors"].(map[string]any)
		if st != 400 || errs["from"] == nil || errs["size"] == nil {
			t.Fatalf("%d %v", st, m)
		}
		if st, _, m := k.do("GET", "/platform/v1/audit?kind=nope", "admin", ""); st != 400 {
			t.Fatalf("unknown kind: %d %v", st, m)
		}
	})
	t.Run("OK_InstantRange", func(t *testing.T) {
		from := c.CreatedAt.UTC().Add(-1e9).Format("2006-01-02T15:04:05Z")
		st, _, m := k.do("GET", "/platform/v1/audit?customer="+c.Reference.String()+"&from="+from, "admin", "")
		if content, _ := m["content"].([]any); st != 200 || len(content) != 2 {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("OK_ExportIsSafeCSV", func(t *testing.T) {
		st, h, body := k.raw("GET", "/platform/v1/audit/export?customer="+c.Reference.String(), "admin")
		if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%d %v %s", st, h, body)
		}
		rows := readCSV(t, body)
		if len(rows) != 3 || rows[0][0] != "id" {
			t.Fatalf("want header and two entries: %v", rows)
		}
		if !strings.Contains(body, `'=HYPERLINK`) && !strings.Contains(rows[1][9], `=HYPERLINK`) {
			t.Fatalf("the note text should be in the changes: %v", rows[1])
		}
		for _, r := range rows[1:] {
			for _, cell := range r {
				if strings.HasPrefix(cell, "=") {
					t.Fatalf("a cell starts a formula: %q", cell)
				}
			}
		}
	})
}

func TestAPICustomerExport(t *testing.T) {
	k := newCaseAPI(t)
	a := k.site.NewCustomer("officer", "")
	b := k.site.NewCustomer("officer", "")
	if _, err := k.site.Customers.Assign(context.Background(), k.site.Actor("officer"), b.Reference, "me", nil); err != nil {
		t.Fatal(err)
	}
	t.Run("OK_SameFilterAsTheList", func(t *testing.T) {
		st, h, body := k.raw("GET", "/platform/v1/customers/export?assignee=me&size=1&page=3", "officer")
		if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Fatalf("%d %s", st, body)
		}
		rows := readCSV(t, body)
		if len(rows) != 2 || rows[1][0] != b.Reference.String() || rows[0][0] != "reference" {
			t.Fatalf("want only %s (page and size ignored): %v", b.Reference, rows)
		}
	})
	t.Run("OK_Everything", func(t *testing.T) {
		_, _, body := k.raw("GET", "/platform/v1/customers/export", "viewer")
		if rows := readCSV(t, body); len(rows) != 3 || !strings.Contains(body, a.Reference.String()) {
			t.Fatalf("%v", rows)
		}
	})
	t.Run("ErrBadFilter", func(t *testing.T) {
		if st, _, body := k.raw("GET", "/platform/v1/customers/export?status=MAYBE", "viewer"); st != 400 || !strings.Contains(body, `"status"`) {
			t.Fatalf("%d %s", st, body)
		}
	})
}

func TestAPIBulk(t *testing.T) {
	k := newCaseAPI(t)
	one := k.site.NewCustomer("officer", "")
	two := k.site.NewCustomer("officer", "")
	three := k.site.NewCustomer("officer", "")
	list := func(refs ...string) string {
		var parts []string
		for _, r := range refs {
			parts = append(parts, `{"reference":"`+r+`"}`)
		}
		return `[` + strings.Join(parts, ",") + `]`
	}
	t.Run("OK_AssignSomeRefusedStale", func(t *testing.T) {
		body := `{"action":"assign","assignee":"officer2@verity.test","customers":[{"reference":"` + one.Reference.String() +
			`","version":1},{"reference":"` + two.Reference.String() + `","version":9}]}`
		st, _, m := k.do("POST", "/platform/v1/customers/bulk", "admin", body)
		if st != 200 || m["succeeded"] != float64(1) || m["refused"] != float64(1) {
			t.Fatalf("%d %v", st, m)
		}
		res := m["results"].([]any)
		ok, refused := res[0].(map[string]any), res[1].(map[string]any)
		if ok["ok"] != true || ok["code"] != nil || refused["ok"] != false || refused["code"] == nil || refused["name"] != two.Company.Name {
			t.Fatalf("%v", res)
		}
		got, _ := k.site.Customers.Get(context.Background(), k.site.Actor("admin"), one.Reference)
		if got.Assignee == nil || got.Assignee.Email != "officer2@verity.test" {
			t.Fatalf("not assigned: %+v", got.Assignee)
		}
	})
	t.Run("ErrOfficerRejects", func(t *testing.T) {
		body := `{"action":"reject","reason":"shell company","customers":` + list(three.Reference.String()) + `}`
		if st, _, m := k.do("POST", "/platform/v1/customers/bulk", "officer", body); st != 403 {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrUnreadable", func(t *testing.T) {
		for body, field := range map[string]string{
			`{"action":"reject","customers":` + list(three.Reference.String()) + `}`:             "reason",
			`{"action":"delete","customers":` + list(three.Reference.String()) + `}`:             "action",
			`{"action":"assign","assignee":null}`:                                                "customers",
			`{"action":"assign","assignee":null,"customers":[]}`:                                 "customers",
			`{"action":"assign","assignee":null,"customers":[{"reference":"x"}]}`:                "customers[0].reference",
			`{"action":"assign","customers":` + list(three.Reference.String()) + `}`:             "assignee",
			`{"action":"assign","assignee":null,"customers":[],"filter":{"status":["PENDING"]}}`: "customers",
			`{"action":"assign","assignee":null,"filter":{"status":["SOMETIMES"]}}`:              "status",
		} {
			st, _, m := k.do("POST", "/platform/v1/customers/bulk", "admin", body)
			errs, _ := m["details"].(map[string]any)["errors"].(map[string]any)
			if st != 400 || errs[field] == nil {
				t.Fatalf("%s: want 400 naming %s, got %d %v", body, field, st, m)
			}
		}
	})
	t.Run("OK_RejectAllMatching", func(t *testing.T) {
		if _, err := k.site.Customers.Assign(context.Background(), k.site.Actor("admin"), three.Reference, "me", nil); err != nil {
			t.Fatal(err)
		}
		body := `{"action":"reject","reason":"shell companies","filter":{"status":["PENDING"],"assignee":"me"}}`
		st, _, m := k.do("POST", "/platform/v1/customers/bulk", "admin", body)
		if st != 200 || m["succeeded"] != float64(1) {
			t.Fatalf("%d %v", st, m)
		}
		got, _ := k.site.Customers.Get(context.Background(), k.site.Actor("admin"), three.Reference)
		if got.Status != customer.StatusRejected {
			t.Fatalf("status %s", got.Status)
		}
		hist, _ := k.site.Customers.History(context.Background(), k.site.Actor("admin"), three.Reference, 0, 5)
		if len(hist) == 0 || hist[0].Action != "customer.status" || hist[0].Reason == nil || *hist[0].Reason != "shell companies" {
			t.Fatalf("audit %+v", hist)
		}
	})
}

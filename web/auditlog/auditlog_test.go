package auditlog_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/web/webtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestAuditLogPage(t *testing.T) {
	s := webtest.New(t)
	ctx := context.Background()
	c := s.NewCustomer("officer", "")
	formula := `=HYPERLINK("http://evil.example","click")`
	if _, err := s.Customers.AddNote(ctx, s.Actor("officer"), c.Reference, customer.NoteInput{Text: &formula}); err != nil {
		t.Fatal(err)
	}
	s.Anonymous().PostForm("/sign-in", url.Values{"email": {"mallory@evil.test"}, "password": {"wrong password"}})

	t.Run("ErrForbiddenForOfficers", func(t *testing.T) {
		o := s.SignIn("officer")
		o.Get("/admin/audit-log").Want(http.StatusForbidden)
		o.Get("/admin/audit-log.csv").Want(http.StatusForbidden)
		if o.Get("/customers").Has("a[href='/admin/audit-log']") {
			t.Fatal("officers see the audit log link")
		}
	})

	a := s.SignIn("admin")
	t.Run("OK_AllKinds", func(t *testing.T) {
		r := a.Get("/admin/audit-log").Want(http.StatusOK)
		kinds := map[string]bool{}
		r.Doc.Find("[data-testid=audit-row]").Each(func(_ int, row *goquery.Selection) {
			act, _ := row.Attr("data-action")
			kinds[strings.Split(act, ".")[0]] = true
		})
		for _, k := range []string{"customer", "staff", "auth"} {
			if !kinds[k] {
				t.Errorf("no %s entries in %v", k, kinds)
			}
		}
		if !r.Has("nav a[href='/admin/audit-log']") {
			t.Error("no nav link for admins")
		}
	})
	t.Run("OK_FilterByKindAndActor", func(t *testing.T) {
		r := a.Get("/admin/audit-log?kind=auth&actor=mallory").Want(http.StatusOK)
		rows := r.Doc.Find("[data-testid=audit-row]")
		if rows.Length() != 1 || rows.AttrOr("data-action", "") != "auth.login_failed" {
			t.Fatalf("rows %d: %s", rows.Length(), r.Text("[data-testid=audit-table]"))
		}
		if r.Doc.Find("select[name=kind] option[selected]").AttrOr("value", "") != "auth" {
			t.Error("the filter is not shown again")
		}
		if href := r.Doc.Find("[data-testid=audit-csv]").AttrOr("href", ""); href != "/admin/audit-log.csv?actor=mallory&kind=auth" {
			t.Errorf("export link %q", href)
		}
	})
	t.Run("OK_FilterByCustomer", func(t *testing.T) {
		r := a.Get("/admin/audit-log?customer=" + c.Reference.String()).Want(http.StatusOK)
		if n := r.Doc.Find("[data-testid=audit-row]").Length(); n != 2 || r.Text("[data-testid=audit-customer]") == "" {
			t.Fatalf("rows %d", n)
		}
	})
	t.Run("ErrBadDateKeepsTheFilter", func(t *testing.T) {
		r := a.Get("/admin/audit-log?from=yesterday&actor=ada").Want(http.StatusUnprocessableEntity)
		if r.Doc.Find("input[name=from]").AttrOr("value", "") != "yesterday" || !strings.Contains(r.Body, "YYYY-MM-DD") {
			t.Fatal("the date's message or value is missing")
		}
		if r.Has("[data-testid=audit-row]") {
			t.Fatal("entries shown for a filter that cannot be read")
		}
	})
	t.Run("OK_KeysetPages", func(t *testing.T) {
		for i := 0; i < 50; i++ {
			text := "note"
			if _, err := s.Customers.AddNote(ctx, s.Actor("officer"), c.Reference, customer.NoteInput{Text: &text}); err != nil {
				t.Fatal(err)
			}
		}
		r := a.Get("/admin/audit-log?kind=customer").Want(http.StatusOK)
		older := r.Doc.Find("[data-testid=audit-older]").AttrOr("href", "")
		last := r.Doc.Find("[data-testid=audit-row]").Last().AttrOr("data-entry-id", "")
		if r.Doc.Find("[data-testid=audit-row]").Length() != 50 || older != "/admin/audit-log?before="+last+"&kind=customer" {
			t.Fatalf("older link %q (last %s)", older, last)
		}
		next := a.Get(older).Want(http.StatusOK)
		if n := next.Doc.Find("[data-testid=audit-row]").Length(); n != 2 || next.Has("[data-testid=audit-older]") {
			t.Fatalf("second page: %d rows", n)
		}
	})
	t.Run("OK_CSV", func(t *testing.T) {
		r := a.Get("/admin/audit-log.csv?kind=customer&actor=olive").Want(http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("content type %q", ct)
		}
		rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+52 || rows[0][0] != "id" {
			t.Fatalf("%d rows, header %v", len(rows), rows[0])
		}
		first := rows[len(rows)-2] // the formula note, oldest but the creation
		if first[4] != "customer.note" || first[8] != "'"+formula {
			t.Fatalf("formula cell not defused: %q", first)
		}
		for _, row := range rows[1:] {
			if !strings.HasPrefix(row[4], "customer.") {
				t.Fatalf("kind filter not applied: %v", row)
			}
		}
	})
}

package customerlist_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/webtest"
)

// readCSV parses an export, failing the test unless it is a CSV attachment.
func readCSV(t *testing.T, r *webtest.Response) [][]string {
	t.Helper()
	r.Want(http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="customers-`) || !strings.HasSuffix(cd, `.csv"`) {
		t.Fatalf("content disposition %q", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "reference,name,registrationNumber,country,status,risk,assignee,statusSince,associates,createdAt,updatedAt" {
		t.Fatalf("header %v", rows[0])
	}
	return rows[1:]
}

func csvNames(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r[1])
	}
	return out
}

func TestExportCSV(t *testing.T) {
	s := webtest.New(t)
	newCustomer(t, s, "Alpha Ltd", "A-1", "LOW", "Smith")
	newCustomer(t, s, "=HYPERLINK(\"http://x\")", "+44-2", "HIGH", "Jones")
	beta := newCustomer(t, s, "Beta Ltd", "B-3", "HIGH", "Okafor")
	if _, err := s.Customers.Assign(context.Background(), s.Actor("officer"), beta.Reference, customer.AssignMe, nil); err != nil {
		t.Fatal(err)
	}
	viewer := s.SignIn("viewer")

	t.Run("the list links to the export of its view", func(t *testing.T) {
		r := viewer.Get("/customers?risk=HIGH&sort=name").Want(http.StatusOK)
		if href, _ := r.Doc.Find("[data-testid=export-csv]").Attr("href"); href != "/customers.csv?risk=HIGH&sort=name" {
			t.Fatalf("export link %q", href)
		}
	})
	t.Run("a viewer exports every row, formulas defused", func(t *testing.T) {
		rows := readCSV(t, viewer.Get("/customers.csv?sort=name"))
		if got := strings.Join(csvNames(rows), "|"); got != `'=HYPERLINK("http://x")|Alpha Ltd|Beta Ltd` {
			t.Fatalf("names %q", got)
		}
		if rows[0][2] != "'+44-2" {
			t.Errorf("registration number cell %q", rows[0][2])
		}
		if rows[2][6] != "Olive Officer <officer@verity.test>" || rows[2][8] != "1" || rows[2][4] != "PENDING" || rows[2][5] != "HIGH" {
			t.Errorf("Beta row %v", rows[2])
		}
	})
	t.Run("filters, search and queue are honoured", func(t *testing.T) {
		if got := csvNames(readCSV(t, viewer.Get("/customers.csv?risk=LOW"))); strings.Join(got, "|") != "Alpha Ltd" {
			t.Errorf("risk LOW: %v", got)
		}
		if got := csvNames(readCSV(t, viewer.Get("/customers.csv?q=okafor"))); strings.Join(got, "|") != "Beta Ltd" {
			t.Errorf("search: %v", got)
		}
		officer := s.SignIn("officer")
		if got := csvNames(readCSV(t, officer.Get("/customers.csv?assignee=me"))); strings.Join(got, "|") != "Beta Ltd" {
			t.Errorf("mine: %v", got)
		}
	})
	t.Run("signed out is sent to sign in", func(t *testing.T) {
		if r := s.Anonymous().Get("/customers.csv"); r.Status != http.StatusSeeOther && r.Status != http.StatusFound {
			t.Fatalf("anonymous export: %d", r.Status)
		}
	})
}

// ticked is the bulk form value of a listed customer: reference.version.
func ticked(c *customer.Customer) string { return c.Reference.String() + "." + strconv.Itoa(c.Version) }

func TestBulkActions(t *testing.T) {
	s := webtest.New(t)
	a := newCustomer(t, s, "Alpha Ltd", "A-1", "LOW", "Smith")
	b := newCustomer(t, s, "Beta Ltd", "B-2", "LOW", "Jones")
	c := newCustomer(t, s, "Gamma Ltd", "G-3", "HIGH", "Okafor")
	ctx := context.Background()
	if _, err := s.Customers.Assign(ctx, s.Actor("officer2"), b.Reference, customer.AssignMe, nil); err != nil {
		t.Fatal(err)
	}

	t.Run("the list offers checkboxes and the bulk bar by role", func(t *testing.T) {
		r := s.SignIn("officer").Get("/customers").Want(http.StatusOK)
		if n := r.Doc.Find("[data-testid=select-row]").Length(); n != 3 {
			t.Fatalf("%d row checkboxes", n)
		}
		if !r.Has("[data-testid=bulk-assign]") || r.Has("[data-testid=bulk-reject]") || !r.Has("[data-testid=bulk-export]") {
			t.Fatal("an officer gets Assign and Export selected, not Reject")
		}
		if !s.SignIn("admin").Get("/customers").Has("[data-testid=bulk-reject]") {
			t.Fatal("an admin gets Reject")
		}
	})
	t.Run("assign to me: the result page says which succeeded and which were refused", func(t *testing.T) {
		officer := s.SignIn("officer")
		officer.Get("/customers")
		r := officer.PostForm("/customers/bulk", url.Values{"action": {"assign"}, "assignee": {"me"},
			"selected": {ticked(a), ticked(b)}}).Want(http.StatusOK)
		res := r.Doc.Find("[data-testid=bulk-result]")
		if res.Length() != 2 || res.Eq(0).AttrOr("data-ok", "") != "true" || res.Eq(1).AttrOr("data-ok", "") != "false" {
			t.Fatalf("results:\n%s", r.Text("[data-testid=bulk-results]"))
		}
		if msg := strings.TrimSpace(res.Eq(1).Find("[data-testid=bulk-message]").Text()); !strings.Contains(msg, "not allowed") {
			t.Errorf("refusal %q", msg)
		}
		if got := r.Text("[data-testid=bulk-summary]"); !strings.HasPrefix(got, "1 of 2 done, 1 refused") {
			t.Errorf("summary %q", got)
		}
		if cur, _ := s.Customers.Get(ctx, s.Actor("admin"), a.Reference); cur.Assignee == nil || cur.Assignee.Name != "Olive Officer" {
			t.Errorf("Alpha assignee %+v", cur.Assignee)
		}
	})
	t.Run("a stale version is refused in words", func(t *testing.T) {
		admin := s.SignIn("admin")
		admin.Get("/customers")
		stale := c.Reference.String() + "." + strconv.Itoa(c.Version+1)
		r := admin.PostForm("/customers/bulk", url.Values{"action": {"assign"}, "assignee": {"none"}, "selected": {stale}}).Want(http.StatusOK)
		if msg := r.Text("[data-testid=bulk-message]"); !strings.Contains(msg, "changed this customer after you opened the list") {
			t.Errorf("stale message %q", msg)
		}
	})
	t.Run("a viewer cannot bulk-reject", func(t *testing.T) {
		viewer := s.SignIn("viewer")
		viewer.Get("/customers")
		r := viewer.PostForm("/customers/bulk", url.Values{"action": {"reject"}, "reason": {"no"}, "selected": {ticked(c)}})
		r.Want(http.StatusForbidden)
		if cur, _ := s.Customers.Get(ctx, s.Actor("admin"), c.Reference); cur.Status != customer.StatusPending {
			t.Fatal("the viewer's reject went through")
		}
	})
	t.Run("reject without a reason goes back to the list saying so", func(t *testing.T) {
		admin := s.SignIn("admin")
		admin.Get("/customers?risk=HIGH")
		r := admin.PostForm("/customers/bulk?risk=HIGH", url.Values{"action": {"reject"}, "reason": {""}, "selected": {ticked(c)}})
		r.Want(http.StatusSeeOther)
		if r.Location() != "/customers?risk=HIGH" {
			t.Fatalf("back to %q", r.Location())
		}
		if got := admin.Get(r.Location()).Text(".flash-error"); !strings.Contains(got, "Reason is required") {
			t.Errorf("flash %q", got)
		}
	})
	t.Run("all matching applies the view's filter", func(t *testing.T) {
		admin := s.SignIn("admin")
		admin.Get("/customers")
		r := admin.PostForm("/customers/bulk?risk=HIGH", url.Values{"action": {"reject"}, "reason": {"High risk sweep"},
			"scope": {"all"}}).Want(http.StatusOK)
		if n := r.Doc.Find("[data-testid=bulk-result][data-ok=true]").Length(); n != 1 {
			t.Fatalf("%d done:\n%s", n, r.Text("[data-testid=bulk-results]"))
		}
		for _, w := range []struct {
			c    *customer.Customer
			want customer.Status
		}{{c, customer.StatusRejected}, {a, customer.StatusPending}} {
			cur, err := s.Customers.Get(ctx, s.Actor("admin"), w.c.Reference)
			if err != nil || cur.Status != w.want {
				t.Errorf("%s: %v %v, want %s", w.c.Company.Name, cur.Status, err, w.want)
			}
		}
	})
	t.Run("export selected downloads just the ticked rows", func(t *testing.T) {
		viewer := s.SignIn("viewer")
		viewer.Get("/customers")
		rows := readCSV(t, viewer.PostForm("/customers/bulk", url.Values{"action": {"export"}, "selected": {ticked(a), ticked(c)}}))
		if got := strings.Join(csvNames(rows), "|"); got != "Gamma Ltd|Alpha Ltd" && got != "Alpha Ltd|Gamma Ltd" {
			t.Fatalf("exported %q", got)
		}
	})
}

package customerlist_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/webtest"
)

// TestReviewQueue: "Changed since approval" counts and lists the verified
// customers changed materially since approval, and only those.
func TestReviewQueue(t *testing.T) {
	s := webtest.New(t)
	ctx := context.Background()
	changed := newCustomer(t, s, "Changed Co", "CC-1", "LOW", "Smith")
	settled := newCustomer(t, s, "Settled Co", "SC-2", "LOW", "Jones")
	newCustomer(t, s, "Pending Co", "PC-3", "LOW", "Okafor")
	for _, c := range []*customer.Customer{changed, settled} {
		if _, err := s.Customers.SetStatus(ctx, s.Actor("admin2"), c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Customers.Update(ctx, s.Actor("officer"), changed.Reference,
		customer.DetailsUpdate{RegistrationNumber: customer.Optional[string]{Set: true, Value: "CC-9"}}, nil); err != nil {
		t.Fatal(err)
	}
	officer := s.SignIn("officer")
	r := officer.Get("/customers").Want(http.StatusOK)
	if got := tabText(r, "tab-review"); got != "Changed since approval 1" {
		t.Fatalf("tab %q", got)
	}
	href, _ := r.Doc.Find("[data-testid=tab-review]").Attr("href")
	if href != "/customers?review=1" {
		t.Fatalf("tab link %q", href)
	}
	q := officer.Get(href).Want(http.StatusOK)
	if q.Doc.Find("[data-testid=tab-review][aria-current=page]").Length() != 1 {
		t.Error("the tab is not marked current on its queue")
	}
	if !q.Has("td:contains('Changed Co')") || q.Has("td:contains('Settled Co')") || q.Has("td:contains('Pending Co')") {
		t.Errorf("queue rows: %s", q.Text("tbody"))
	}
}

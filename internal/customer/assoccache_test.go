package customer_test

import (
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
)

// TestListKeepsAssociatesByVersion: a list reads a customer's associates
// once per version. A change by hand in SQL (no version bump) is not seen
// by the next page — the cache served it — while a change through the
// service, here by a second instance on the same database, is seen at once,
// as is any version bump.
func TestListKeepsAssociatesByVersion(t *testing.T) {
	e := newEnv(t)
	a := e.create(officer, seedInput)
	other := customer.NewService(e.db, customer.Options{FourEyes: true, VerifyBaseURL: verifyBase}) // a second instance
	titleOf := func() string {
		t.Helper()
		p, err := e.svc.List(e.ctx, viewer, customer.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Content) != 1 || len(p.Content[0].Company.Associates) != 1 {
			t.Fatalf("listed %+v", p.Content)
		}
		return *p.Content[0].Company.Associates[0].Title
	}
	if got := titleOf(); got != "CEO" {
		t.Fatalf("first page: title %q", got)
	}
	if _, err := e.db.ExecContext(e.ctx, `UPDATE associates SET title = 'Changed by hand' WHERE customer_id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := titleOf(); got != "CEO" {
		t.Fatalf("the associates were read again for the same version: title %q", got)
	}
	body := `{"associates": [` + person("Sean", "Bond", "sean.bond@example.com", "") + `]}`
	if _, err := other.ReplaceAssociates(e.ctx, officer, a.Reference, decode[customer.AssociatesInput](t, body), nil); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.List(e.ctx, viewer, customer.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if as := p.Content[0].Company.Associates; len(as) != 1 || as[0].Title != nil || *as[0].Details.ContactInfo.EmailAddress != "sean.bond@example.com" {
		t.Fatalf("after another instance's change: %+v", as)
	}
	if _, err := e.db.ExecContext(e.ctx, `UPDATE associates SET title = 'Changed by hand' WHERE customer_id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ExecContext(e.ctx, `UPDATE customers SET version = version + 1 WHERE id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := titleOf(); got != "Changed by hand" {
		t.Fatalf("a new version read the old associates: title %q", got)
	}
}

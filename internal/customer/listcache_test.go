package customer_test

import (
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
)

// TestListKeepsCustomersByVersion: a list reads a customer whole once per
// version. A change by hand in SQL (no version bump) is not seen by the next
// page — the cache served it — while a change through the service, here by
// a second instance on the same database, is seen at once; so are the case
// owner (an assignment keeps the version) and the owner's name, and any
// version bump.
func TestListKeepsCustomersByVersion(t *testing.T) {
	e := newEnv(t)
	e.staff()
	a := e.create(officer, seedInput)
	other := customer.NewService(e.db, customer.Options{FourEyes: true, VerifyBaseURL: verifyBase}) // a second instance
	listed := func() *customer.Customer {
		t.Helper()
		p, err := e.svc.List(e.ctx, viewer, customer.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Content) != 1 {
			t.Fatalf("listed %+v", p.Content)
		}
		return p.Content[0]
	}
	exec := func(q string) {
		t.Helper()
		if _, err := e.db.ExecContext(e.ctx, q, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if c := listed(); c.Company.Name != "Bond Holdings" || *c.Company.Associates[0].Title != "CEO" {
		t.Fatalf("first page: %+v", c.Company)
	}
	exec(`UPDATE associates SET title = 'Changed by hand' WHERE customer_id = $1`)
	exec(`UPDATE customers SET name = 'Renamed by hand' WHERE id = $1`)
	if c := listed(); c.Company.Name != "Bond Holdings" || *c.Company.Associates[0].Title != "CEO" {
		t.Fatalf("the customer was read again for the same version: %+v", c.Company)
	}

	if _, err := other.Assign(e.ctx, admin, a.Reference, "otto@example.com", nil); err != nil {
		t.Fatal(err)
	}
	if c := listed(); c.Assignee == nil || c.Assignee.Name != "Otto Officer" || c.Company.Name != "Bond Holdings" {
		t.Fatalf("after an assignment (same version): %+v %+v", c.Assignee, c.Company.Name)
	}
	if _, err := e.db.ExecContext(e.ctx, `UPDATE staff_users SET name = 'Otto Renamed' WHERE id = 6`); err != nil {
		t.Fatal(err)
	}
	if c := listed(); c.Assignee == nil || c.Assignee.Name != "Otto Renamed" {
		t.Fatalf("the owner's new name: %+v", c.Assignee)
	}

	body := `{"associates": [` + person("Sean", "Bond", "sean.bond@example.com", "") + `]}`
	if _, err := other.ReplaceAssociates(e.ctx, officer, a.Reference, decode[customer.AssociatesInput](t, body), nil); err != nil {
		t.Fatal(err)
	}
	c := listed()
	if as := c.Company.Associates; len(as) != 1 || as[0].Title != nil || *as[0].Details.ContactInfo.EmailAddress != "sean.bond@example.com" {
		t.Fatalf("after another instance's change: %+v", as)
	}
	if want := e.get(a); c.Version != want.Version || c.Company.Name != "Renamed by hand" || !c.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("after another instance's change: version %d name %q, read %d %q", c.Version, c.Company.Name, want.Version, want.Company.Name)
	}
	exec(`UPDATE associates SET title = 'Changed by hand' WHERE customer_id = $1`)
	exec(`UPDATE customers SET version = version + 1 WHERE id = $1`)
	if c := listed(); *c.Company.Associates[0].Title != "Changed by hand" {
		t.Fatalf("a new version read the old associates: %+v", c.Company.Associates)
	}
}

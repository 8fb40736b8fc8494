package customer_test

import (
	"context"
	"sync/atomic"
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

// TestGetCachedKeepsCustomersByVersion: the API's GET reads a customer whole
// once per version, as lists do (a change by hand in SQL is not seen, a sign
// that only the key was read), and sees at once a change by a second
// instance, an assignment, the owner's new name and any version bump. Get,
// the pages' read, always reads afresh.
func TestGetCachedKeepsCustomersByVersion(t *testing.T) {
	e := newEnv(t)
	e.staff()
	a := e.create(officer, seedInput)
	other := customer.NewService(e.db, customer.Options{FourEyes: true, VerifyBaseURL: verifyBase}) // a second instance
	got := func() *customer.Customer {
		t.Helper()
		c, err := e.svc.GetCached(e.ctx, viewer, a.Reference)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	exec := func(q string) {
		t.Helper()
		if _, err := e.db.ExecContext(e.ctx, q, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	first := got()
	if first.Company.Name != "Bond Holdings" || *first.Company.Associates[0].Title != "CEO" {
		t.Fatalf("first read: %+v", first.Company)
	}
	if fresh := e.get(a); string(customer.JSON{Customer: fresh}.AppendJSON(nil)) != string(customer.JSON{Customer: first}.AppendJSON(nil)) || fresh.ETag() != first.ETag() {
		t.Fatal("the cached read differs from Get")
	}
	exec(`UPDATE associates SET title = 'Changed by hand' WHERE customer_id = $1`)
	exec(`UPDATE customers SET name = 'Renamed by hand' WHERE id = $1`)
	c := got()
	if c.Company.Name != "Bond Holdings" || *c.Company.Associates[0].Title != "CEO" {
		t.Fatalf("the customer was read again for the same version: %+v", c.Company)
	}
	if string(customer.JSON{Customer: c}.AppendJSON(nil)) != string(customer.JSON{Customer: first}.AppendJSON(nil)) {
		t.Fatal("a cached read differs from the first")
	}
	if g := e.get(a); g.Company.Name != "Renamed by hand" {
		t.Fatalf("Get read from the cache: %q", g.Company.Name)
	}

	if _, err := other.Assign(e.ctx, admin, a.Reference, "otto@example.com", nil); err != nil {
		t.Fatal(err)
	}
	if c := got(); c.Assignee == nil || c.Assignee.Name != "Otto Officer" || c.ETag() == first.ETag() {
		t.Fatalf("after an assignment (same version): %+v %s", c.Assignee, c.ETag())
	}
	if _, err := e.db.ExecContext(e.ctx, `UPDATE staff_users SET name = 'Otto Renamed' WHERE id = 6`); err != nil {
		t.Fatal(err)
	}
	if c := got(); c.Assignee == nil || c.Assignee.Name != "Otto Renamed" {
		t.Fatalf("the owner's new name: %+v", c.Assignee)
	}

	body := `{"associates": [` + person("Sean", "Bond", "sean.bond@example.com", "") + `]}`
	if _, err := other.ReplaceAssociates(e.ctx, officer, a.Reference, decode[customer.AssociatesInput](t, body), nil); err != nil {
		t.Fatal(err)
	}
	c = got()
	want := e.get(a)
	if string(customer.JSON{Customer: c}.AppendJSON(nil)) != string(customer.JSON{Customer: want}.AppendJSON(nil)) || c.ETag() != want.ETag() {
		t.Fatalf("after another instance's change: version %d name %q, Get %d %q", c.Version, c.Company.Name, want.Version, want.Company.Name)
	}
	exec(`UPDATE associates SET title = 'Changed by hand' WHERE customer_id = $1`)
	exec(`UPDATE customers SET version = version + 1 WHERE id = $1`)
	if c := got(); *c.Company.Associates[0].Title != "Changed by hand" || c.Version != want.Version+1 {
		t.Fatalf("a new version read the old associates: %+v", c.Company.Associates)
	}
}

// watchedContext counts how often anything asks for its Done channel, the
// way database/sql and lib/pq do to watch a query with a goroutine.
type watchedContext struct {
	context.Context
	asked atomic.Int64
}

func (w *watchedContext) Done() <-chan struct{} {
	w.asked.Add(1)
	return w.Context.Done()
}

// TestGetCachedDoesNotWatchTheRequest: a cached GET (the customer kept for
// its version) reads its key without database/sql or lib/pq watching the
// request's context — a goroutine each per query, a good part of the cached
// read's CPU — and still answers the current version and owner.
func TestGetCachedDoesNotWatchTheRequest(t *testing.T) {
	e := newEnv(t)
	e.staff()
	a := e.create(officer, seedInput)
	if _, err := e.svc.GetCached(e.ctx, viewer, a.Reference); err != nil { // kept now
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	w := &watchedContext{Context: ctx}
	c, err := e.svc.GetCached(w, viewer, a.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if n := w.asked.Load(); n != 0 {
		t.Errorf("the cached read watched the request's context %d times", n)
	}
	if want := e.get(a); c.ETag() != want.ETag() || c.Company.Name != want.Company.Name {
		t.Fatalf("cached read %s %q, Get %s %q", c.ETag(), c.Company.Name, want.ETag(), want.Company.Name)
	}
}

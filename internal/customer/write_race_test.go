package customer_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
)

// raceEnv is an env whose clock runs between, once armed, another write
// after a write has read the customer and before it stores its change (the
// change reads the clock): what a concurrent request does.
func raceEnv(t *testing.T) (*env, *atomic.Pointer[func()]) {
	t.Helper()
	db := pgtest.New(t)
	var between atomic.Pointer[func()]
	now := func() time.Time {
		if f := between.Swap(nil); f != nil {
			(*f)()
		}
		return time.Now()
	}
	return &env{t: t, db: db, ctx: context.Background(),
		svc: customer.NewService(db, customer.Options{FourEyes: true, VerifyBaseURL: verifyBase, Now: now})}, &between
}

// A write does not hold the customer's row while it works out its change:
// another write may land in between (with a locked read it would wait, here
// for at most 5 s). The first write then finds the row changed, writes
// nothing of its own statement, and runs again on the newer row: both
// changes kept, one audit entry each, one version each.
func TestWriteAfterAConcurrentWriteRunsAgainOnTheNewerRow(t *testing.T) {
	e, between := raceEnv(t)
	c := e.create(admin, seedInput)
	other := func() {
		ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
		defer cancel()
		if _, err := e.svc.Update(ctx, admin2, c.Reference, decode[customer.DetailsUpdate](t, `{"address": {"addressLine2": "Floor 9"}}`), nil); err != nil {
			t.Errorf("the write in between: %v", err)
		}
	}
	between.Store(&other)
	got, err := e.svc.Update(e.ctx, officer, c.Reference, decode[customer.DetailsUpdate](t, `{"description": "Mine"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if *got.Company.Description != "Mine" || *got.Company.Address.AddressLine2 != "Floor 9" || got.Version != c.Version+2 {
		t.Fatalf("answer: description %q, address line 2 %q, version %d; want Mine, Floor 9, %d",
			*got.Company.Description, *got.Company.Address.AddressLine2, got.Version, c.Version+2)
	}
	stored := e.get(c)
	if *stored.Company.Description != "Mine" || *stored.Company.Address.AddressLine2 != "Floor 9" || stored.Version != c.Version+2 {
		t.Fatalf("stored: description %q, address line 2 %q, version %d", *stored.Company.Description, *stored.Company.Address.AddressLine2, stored.Version)
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE customer_id = $1 AND action = 'customer.update'`, c.ID); n != 2 {
		t.Fatalf("%d update entries, want 2", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE customer_id = $1 AND actor_id = $2 AND changes_json::jsonb::text LIKE '%Floor 9%'`, c.ID, admin2.ID); n != 1 {
		t.Fatalf("%d entries of the write in between, want 1", n)
	}

	// with If-Match of the version it read, the write is refused instead
	cur := e.get(c)
	third := func() {
		ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
		defer cancel()
		if _, err := e.svc.Update(ctx, admin2, c.Reference, decode[customer.DetailsUpdate](t, `{"description": "Theirs"}`), nil); err != nil {
			t.Errorf("the write in between: %v", err)
		}
	}
	between.Store(&third)
	if _, err := e.svc.Update(e.ctx, officer, c.Reference, decode[customer.DetailsUpdate](t, `{"description": "Mine again"}`), customer.Versions{cur.Version}); err == nil {
		t.Fatal("a write expecting the version it read went through over a newer one")
	}
	if d := *e.get(c).Company.Description; d != "Theirs" {
		t.Fatalf("description %q, want the write in between's", d)
	}
}

// A case assigned while a status change works it out: the change runs again
// on the assigned row and answers the assignee (who is in its ETag).
func TestWriteAfterAConcurrentAssignmentAnswersTheAssignee(t *testing.T) {
	e, between := raceEnv(t)
	e.staff()
	c := e.create(admin, seedInput)
	take := func() {
		ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
		defer cancel()
		if _, err := e.svc.Assign(ctx, officer2, c.Reference, customer.AssignMe, nil); err != nil {
			t.Errorf("the assignment in between: %v", err)
		}
	}
	between.Store(&take)
	got, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "REJECTED", Reason: ptr("No registry entry")}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if got.Assignee == nil || got.Assignee.ID != officer2.ID || got.Status != customer.StatusRejected {
		t.Fatalf("answered %s assigned to %+v, want REJECTED assigned to %d", got.Status, got.Assignee, officer2.ID)
	}
	if n := e.count(`SELECT count(*) FROM customer_notes WHERE customer_id = $1 AND status_to = 'REJECTED'`, c.ID); n != 1 {
		t.Fatalf("%d status notes, want 1", n)
	}
}

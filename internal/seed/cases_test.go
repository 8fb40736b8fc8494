package seed

import (
	"testing"
	"time"
)

// TestDemoCases: the demo shows case work — cases owned by the officer and
// the admin, unassigned ones for "Next case", and pending cases both within
// and past the 72 h review SLA.
func TestDemoCases(t *testing.T) {
	e := newDemoEnv(t)
	if _, _, err := DemoOnce(e.ctx, e.db, e.customers, e.users, dev, DefaultDemoCustomers); err != nil {
		t.Fatal(err)
	}
	mine := func(email string) int {
		return e.count(t, `SELECT count(*) FROM customers c JOIN staff_users s ON s.id = c.assignee_id WHERE s.email = $1`, email)
	}
	if mine("officer@verity.test") != 3 || mine("admin@verity.test") != 2 {
		t.Errorf("assigned: officer %d, admin %d; want 3 and 2", mine("officer@verity.test"), mine("admin@verity.test"))
	}
	if n := e.count(t, `SELECT count(*) FROM audit_entries WHERE action = 'customer.assign'`); n != 5 {
		t.Errorf("%d assignment audit entries, want 5", n)
	}
	unassigned := e.count(t, `SELECT count(*) FROM customers WHERE status = 'PENDING' AND assignee_id IS NULL`)
	sla := 72 * time.Hour
	overdue := e.count(t, `SELECT count(*) FROM customers WHERE status = 'PENDING' AND status_since < now() - $1::interval`, sla.String())
	fresh := e.count(t, `SELECT count(*) FROM customers WHERE status = 'PENDING' AND status_since >= now() - $1::interval`, sla.String())
	if unassigned == 0 || overdue == 0 || fresh == 0 {
		t.Errorf("pending cases: %d unassigned, %d overdue, %d within the SLA; want some of each", unassigned, overdue, fresh)
	}
	if n := e.count(t, `SELECT count(*) FROM customers WHERE status = 'VERIFIED' AND review_required`); n != 3 {
		t.Errorf("%d review-required customers, want 3", n)
	}
}

package customer

import (
	"context"
	"errors"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/pgtest"
)

// A write statement computed from an older version (or another assignee)
// finds no row and writes nothing at all — no associates, audit entry or
// note — so it can run as its own transaction and be run again locked.
func TestWriteChangeOnAChangedRowWritesNothing(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test"})
	c := createForStoreTest(t, s)
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.GetContext(ctx, &n, q, c.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	rows := func() [4]int {
		return [4]int{count(`SELECT count(*) FROM audit_entries WHERE customer_id = $1`), count(`SELECT count(*) FROM customer_notes WHERE customer_id = $1`),
			count(`SELECT count(*) FROM associates WHERE customer_id = $1`), count(`SELECT version FROM customers WHERE id = $1`)}
	}
	before := rows()
	for _, stale := range []func(*Customer){
		func(n *Customer) { n.Version++ },
		func(n *Customer) { n.Assignee = &Assignee{ID: 1} },
	} {
		next := *c
		stale(&next)
		next.Status = StatusRejected
		next.Company.Associates = c.Company.Associates[:1]
		reason := "gone"
		_, err := writeChange(ctx, s.prepared(nil), written{next: &next, associates: true, note: true, from: c.Status, to: next.Status,
			entry: audit.Record{Actor: access.System("test"), Action: audit.ActionCustomerStatus, CustomerID: &next.ID, Reason: reason}})
		if !errors.Is(err, errChanged) {
			t.Fatalf("write on a changed row: %v, want errChanged", err)
		}
		if after := rows(); after != before {
			t.Fatalf("entries, notes, associates, version %v after the refused write, want %v", after, before)
		}
	}
}

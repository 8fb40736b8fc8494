package customer_test

import (
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/webhook"
)

// TestStackFloorRunsTheStatements: the stack floor's requests run the
// service's statements for real — a read changes nothing; details, status
// and associates each bump the version once, with their audit entry (and a
// status change its note) written by the same statement as the row.
func TestStackFloorRunsTheStatements(t *testing.T) {
	e := newEnv(t)
	c := e.create(admin2, seedInput)
	floor := customer.NewStackFloor(e.db, webhook.NewService(e.db, webhook.Options{}))
	state := func(t *testing.T) (version int, status string, entries, notes, associates int) {
		t.Helper()
		err := e.db.QueryRowxContext(e.ctx, `SELECT version, status::text,
			(SELECT count(*) FROM audit_entries a WHERE a.customer_id = c.id),
			(SELECT count(*) FROM customer_notes n WHERE n.customer_id = c.id),
			(SELECT count(*) FROM associates s WHERE s.customer_id = c.id) FROM customers c WHERE id = $1`, c.ID).
			Scan(&version, &status, &entries, &notes, &associates)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	v0, s0, e0, n0, a0 := state(t)
	run := func(t *testing.T, kind customer.FloorKind) {
		t.Helper()
		if err := floor.Run(e.ctx, kind, c.Reference, []byte(`{"reference":"`+c.Reference.String()+`"}`)); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("OK_ReadWritesNothing", func(t *testing.T) {
		run(t, customer.FloorRead)
		if v, _, en, _, _ := state(t); v != v0 || en != e0 {
			t.Fatalf("a read wrote: version %d -> %d, entries %d -> %d", v0, v, e0, en)
		}
	})
	t.Run("OK_Details", func(t *testing.T) {
		run(t, customer.FloorDetails)
		v, _, en, _, _ := state(t)
		if v != v0+1 || en != e0+1 {
			t.Fatalf("version %d -> %d, entries %d -> %d; want one more of each", v0, v, e0, en)
		}
		got, err := e.svc.Get(e.ctx, officer, c.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if got.Company.Description == nil || *got.Company.Description == "Original description" {
			t.Fatalf("description not written: %v", got.Company.Description)
		}
		if row, entry := e.commandOf(`customers WHERE id = $1`, c.ID),
			e.commandOf(`audit_entries WHERE customer_id = $1 ORDER BY id DESC LIMIT 1`, c.ID); row != entry {
			t.Fatalf("row written by %s, entry by %s", row, entry)
		}
	})
	t.Run("OK_Status", func(t *testing.T) {
		run(t, customer.FloorStatus)
		v, s, en, n, _ := state(t)
		if v != v0+2 || en != e0+2 || n != n0+1 || s == s0 {
			t.Fatalf("version %d -> %d, entries %d -> %d, notes %d -> %d, status %s -> %s", v0, v, e0, en, n0, n, s0, s)
		}
	})
	t.Run("OK_Associates", func(t *testing.T) {
		run(t, customer.FloorAssociates)
		v, _, en, _, a := state(t)
		if v != v0+3 || en != e0+3 || a != a0 {
			t.Fatalf("version %d -> %d, entries %d -> %d, associates %d -> %d", v0, v, e0, en, a0, a)
		}
	})
}

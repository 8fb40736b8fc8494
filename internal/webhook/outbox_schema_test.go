package webhook_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/webhook"
)

const dataUpdated = "platform:accounts:customer:data-updated"

// An admin editing, rotating or retiring an endpoint locks its row; the
// customer writes that emit to it meanwhile must not wait for that (the
// outbox's rows take no lock on the endpoint row: migration 00014).
func TestEndpointLockDoesNotHoldBackWrites(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	ep, _ := e.endpoint(rcv.URL, dataUpdated)
	c := e.create(officer)

	admin, err := e.db.BeginTxx(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Rollback() //nolint:errcheck
	// what Update, Rotate and Delete do first
	if _, err := admin.ExecContext(e.ctx, `SELECT id FROM webhook_endpoints WHERE id = $1 FOR UPDATE`, ep.ID); err != nil {
		t.Fatal(err)
	}

	var id int64
	if err := e.db.GetContext(e.ctx, &id, `SELECT id FROM customers WHERE reference = $1`, c.Reference); err != nil {
		t.Fatal(err)
	}
	write, err := e.db.BeginTxx(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer write.Rollback() //nolint:errcheck
	// turns a wait for the admin's lock into an error instead of a hang
	if _, err := write.ExecContext(e.ctx, `SET LOCAL lock_timeout = '2s'`); err != nil {
		t.Fatal(err)
	}
	ev := customer.Event{Name: dataUpdated, CustomerID: id, Data: map[string]string{"reference": c.Reference.String()}}
	if err := e.wh.Emit(e.ctx, write, ev); err != nil {
		t.Fatalf("the write waited for the endpoint's lock: %v", err)
	}
	if err := write.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := admin.Rollback(); err != nil {
		t.Fatal(err)
	}
	e.drain()
	if got := len(rcv.all()); got != 1 {
		t.Fatalf("receiver got %d events, want 1", got)
	}
}

// Endpoints are retired (deleted_at), events are the record of what was
// sent: neither is ever deleted, so a delivery's endpoint and event exist
// without foreign keys checking it in every write.
func TestEndpointsAndEventsAreNeverDeleted(t *testing.T) {
	e := newEnv(t)
	ep, _ := e.endpoint("http://127.0.0.1:1/never", dataUpdated) // no deliveries point at it
	c := e.create(officer)
	if _, err := e.db.ExecContext(e.ctx, `INSERT INTO webhook_events (event_id, name, customer_id, payload)
		SELECT gen_random_uuid(), $1, id, '{}' FROM customers WHERE reference = $2`, dataUpdated, c.Reference); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DELETE FROM webhook_endpoints WHERE id = ` + strconv.FormatInt(ep.ID, 10),
		`TRUNCATE webhook_endpoints CASCADE`,
		`DELETE FROM webhook_events`,
		`TRUNCATE webhook_events CASCADE`,
	} {
		_, err := e.db.ExecContext(e.ctx, q)
		if err == nil || !strings.Contains(err.Error(), "never deleted") {
			t.Errorf("%s: err = %v, want a refusal", q, err)
		}
	}
	if n := e.count(`SELECT count(*) FROM webhook_endpoints`); n != 1 {
		t.Errorf("%d endpoints left, want 1", n)
	}
}

// No query reads events by customer: the index migration 00014 dropped
// stays dropped (each event insert would maintain it for nothing).
func TestOutboxIndexes(t *testing.T) {
	e := newEnv(t)
	if n := e.count(`SELECT count(*) FROM pg_indexes WHERE tablename = 'webhook_events' AND indexdef LIKE '%(customer_id%'`); n != 0 {
		t.Errorf("webhook_events has %d indexes on customer_id, want none", n)
	}
	if n := e.count(`SELECT count(*) FROM pg_constraint WHERE contype = 'f'
		AND conrelid IN ('webhook_events'::regclass, 'webhook_deliveries'::regclass) AND confrelid <> conrelid`); n != 0 {
		t.Errorf("the outbox tables have %d foreign keys to other tables, want none", n)
	}
}

// The worker's round reads due deliveries in due_idx's order and stops after
// its batch, and finds each outcome's row by id — also when the statistics
// say few deliveries are pending (as they are when the worker keeps up),
// where the planner would otherwise read every entry of the partial indexes,
// the dead ones of every delivery done since the last vacuum included.
func TestClaimPlanReadsTheQueueInOrder(t *testing.T) {
	e := newEnv(t)
	ep, _ := e.endpoint("http://127.0.0.1:1/never", dataUpdated)
	c := e.create(officer)
	for _, q := range []string{
		`INSERT INTO webhook_events (event_id, name, customer_id, payload)
		 SELECT gen_random_uuid(), 'x', c.id, '{}' FROM customers c, generate_series(1, 2000) WHERE c.reference = '` + c.Reference.String() + `'`,
		`INSERT INTO webhook_deliveries (event_id, endpoint_id, customer_id, state)
		 SELECT id, ` + strconv.FormatInt(ep.ID, 10) + `, customer_id, 'pending' FROM webhook_events`,
		`UPDATE webhook_deliveries SET state = 'delivered'`, // all done: dead entries in the pending indexes
		`ANALYZE webhook_deliveries`,
	} {
		if _, err := e.db.ExecContext(e.ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := e.db.BeginTxx(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	// RoundSessionSQL asks for the generic plan, the one the worker's prepared statement uses
	for _, q := range []string{webhook.RoundSessionSQL,
		`PREPARE claim (int, timestamptz, timestamptz, bigint[], text[], int[], int[], text[], timestamptz[], timestamptz[]) AS ` + webhook.ClaimSQL} {
		if _, err := tx.ExecContext(e.ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var lines []string
	if err := tx.SelectContext(e.ctx, &lines, `EXPLAIN (COSTS OFF) EXECUTE claim (32, now() + interval '15 s', now(),
		'{1,2}', '{delivered,pending}', '{200,500}', '{1,1}', '{NULL,NULL}', '{NULL,NULL}', '{NULL,NULL}')`); err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	for _, want := range []string{
		"Index Scan using webhook_deliveries_due_idx",                                      // the due ones, in order
		"Index Cond: ((endpoint_id = d_2.endpoint_id) AND (customer_id = d_2.customer_id)", // the order check, one customer
		"Index Scan using webhook_deliveries_pkey on webhook_deliveries d_1",               // each outcome by id
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
	for _, bad := range []string{"Bitmap", "Sort", "Seq Scan on webhook_deliveries"} {
		if strings.Contains(plan, bad) {
			t.Errorf("plan has %q:\n%s", bad, plan)
		}
	}
}

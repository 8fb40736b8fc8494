package webhook_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/webhook"
)

// countingOutbox is the outbox counting the events handed to Emit, the
// statement of their own a write would spend on them.
type countingOutbox struct {
	*webhook.Service
	emits atomic.Int64
}

func (c *countingOutbox) Emit(ctx context.Context, tx *sqlx.Tx, ev customer.Event) error {
	c.emits.Add(1)
	return c.Service.Emit(ctx, tx, ev)
}

// A details, associates or status change stores its events in the write's
// own statement (no Emit of their own), in their order, each with its
// delivery; an event nobody subscribes to is not stored; the data-updated
// payload is the customer exactly as the API writes it.
func TestWriteStoresItsEventsInItsStatement(t *testing.T) {
	db := pgtest.New(t)
	wh := webhook.NewService(db, fastOptions())
	out := &countingOutbox{Service: wh}
	e := &env{t: t, ctx: context.Background(), db: db, wh: wh,
		svc: customer.NewService(db, customer.Options{FourEyes: true, VerifyBaseURL: "https://verify.test/kyb", Events: out})}
	rc := newReceiver(t)
	e.endpoint(rc.URL, customer.EventDataUpdated, customer.EventAssociateDeleted, customer.EventStatusChange)
	c := e.create(admin) // created: nobody subscribes, so nothing is stored
	out.emits.Store(0)

	updated, err := e.update(c, `{"description": "Changed <here> & there"}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	keep := c.Company.Associates[0].Person.Reference.String()
	var in customer.AssociatesInput
	one := strings.Replace(associate, `"person": {`, `"person": {"reference": "`+keep+`", `, 1)
	if err := json.Unmarshal([]byte(`{"associates": [`+one+`]}`), &in); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ReplaceAssociates(e.ctx, admin, c.Reference, in, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "REJECTED", Reason: ptr("No registry entry")}, nil, false); err != nil {
		t.Fatal(err)
	}
	if n := out.emits.Load(); n != 0 {
		t.Fatalf("%d events went through Emit, a statement each; want them in the write's statement", n)
	}

	var stored []struct {
		Name    string `db:"name"`
		Payload string `db:"payload"`
	}
	if err := db.SelectContext(e.ctx, &stored, `SELECT name, payload::text AS payload FROM webhook_events WHERE customer_id = $1 ORDER BY id`, c.ID); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range stored {
		names = append(names, strings.TrimPrefix(s.Name, "platform:accounts:customer:"))
	}
	if got, want := strings.Join(names, " "), "data-updated data-updated associate-deleted status-change"; got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
	want, err := json.Marshal(customer.AsJSON(updated))
	if err != nil {
		t.Fatal(err)
	}
	if stored[0].Payload != string(want) {
		t.Fatalf("data-updated payload\n%s\nwant the API's JSON\n%s", stored[0].Payload, want)
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries WHERE customer_id = $1`, c.ID); n != len(stored) {
		t.Fatalf("%d deliveries for %d events", n, len(stored))
	}
	e.drain()
	if got := rc.all(); len(got) != len(stored) || got[3].Env.Event != customer.EventStatusChange {
		t.Fatalf("%d deliveries received, want %d ending with the status change", len(got), len(stored))
	}
}

// A write whose events are stored in its statement still wakes this
// process' worker: with a poll of an hour, the change is delivered at once.
func TestRunWakesOnStatementEvent(t *testing.T) {
	db := pgtest.New(t)
	opts := fastOptions()
	opts.Poll = time.Hour
	wh := webhook.NewService(db, opts)
	e := &env{t: t, ctx: context.Background(), db: db, wh: wh,
		svc: customer.NewService(db, customer.Options{VerifyBaseURL: "https://verify.test/kyb", Events: wh})}
	rc := newReceiver(t)
	e.endpoint(rc.URL, customer.EventDataUpdated)
	c := e.create(admin)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { defer close(done); wh.Run(ctx, nilLogger()) }()
	defer func() { cancel(); <-done }()
	deliveredSoon := func(want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for e.count(`SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'`) < want {
			if time.Now().After(deadline) {
				t.Fatalf("%d deliveries recorded, want %d: the worker did not wake", len(rc.all()), want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for i, body := range []string{`{"description": "Wake up"}`, `{"description": "Wake up again"}`} {
		if _, err := e.update(c, body, nil); err != nil {
			t.Fatal(err)
		}
		deliveredSoon(i + 1) // the second while the worker is idle, waiting for its hour-long poll
	}
}

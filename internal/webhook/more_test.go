package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/webhook"
)

func nilLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func ptr[T any](v T) *T { return &v }

func staff(t *testing.T, db *sqlx.DB) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO staff_users (id, email, name, role, password_hash, active) VALUES
  (1, 'olivia@example.com', 'Olivia Officer', 'officer', 'x', true),
  (2, 'ada@example.com', 'Ada Admin', 'admin', 'x', true),
  (3, 'alan@example.com', 'Alan Admin', 'admin', 'x', true)`); err != nil {
		t.Fatal(err)
	}
}

// Registration refuses internal addresses and plain http unless
// AllowPrivate; the delivery dialer refuses them after DNS (an endpoint
// stored with a loopback URL, as a rebound name would resolve, is not reached).
func TestSSRF(t *testing.T) {
	e := newEnv(t)
	strict := webhook.NewService(e.db, webhook.Options{})
	for _, u := range []string{"http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://[::1]/x",
		"https://169.254.169.254/latest", "https://[fd00:ec2::254]/x", "https://100.64.0.1/x", "https://192.168.1.1/x",
		"https://[::ffff:127.0.0.1]/x", "https://localhost/x", "https://user:pw@93.184.215.14/x", "ftp://93.184.215.14/x"} {
		if _, _, err := strict.Create(e.ctx, admin, webhook.Input{URL: &u, Events: []string{"platform:accounts:customer:created"}}); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, ip := range []string{"8.8.8.8", "2606:4700::1111", "93.184.215.14"} {
		if webhook.Forbidden(netip.MustParseAddr(ip)) {
			t.Errorf("%s refused", ip)
		}
	}
	if u, err := strict.CheckURL(e.ctx, "https://93.184.215.14/hook"); err != nil || u != "https://93.184.215.14/hook" {
		t.Fatal(u, err)
	}

	rc := newReceiver(t)
	e.endpoint(rc.URL)
	e.create(admin)
	if _, err := strict.DeliverDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	var last string
	if err := e.db.Get(&last, `SELECT coalesce(last_error, '') FROM webhook_deliveries`); err != nil {
		t.Fatal(err)
	}
	if len(rc.all()) != 0 || !strings.Contains(last, "loopback, private") {
		t.Fatalf("delivered to loopback: %d, %q", len(rc.all()), last)
	}
}

// A redirect is not followed: the try fails with the 3xx.
func TestNoRedirects(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.endpoint(rc.URL + "/moved")
	redirect := newReceiver(t)
	redirect.Config.Handler = http.RedirectHandler(rc.URL, http.StatusFound)
	if _, err := e.db.Exec(`UPDATE webhook_endpoints SET url = $1`, redirect.URL); err != nil {
		t.Fatal(err)
	}
	e.create(admin)
	if _, err := e.wh.DeliverDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries WHERE last_status = 302 AND state = 'pending'`); n != 1 || len(rc.all()) != 0 {
		t.Fatalf("redirect followed or not recorded: %d %d", n, len(rc.all()))
	}
}

// Only admins manage webhooks; the secret is never listed; a deleted
// endpoint leaves the lists but its delivery record stays.
func TestEndpointAdministration(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	u := rc.URL
	if _, _, err := e.wh.Create(e.ctx, officer, webhook.Input{URL: &u, Events: []string{"platform:accounts:customer:created"}}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("officer created an endpoint: %v", err)
	}
	if _, err := e.wh.List(e.ctx, officer); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("officer listed endpoints: %v", err)
	}
	if _, _, err := e.wh.Create(e.ctx, admin, webhook.Input{URL: &u, Events: []string{"customer:nope"}}); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("unknown event: %v", err)
	}
	ep, secret := e.endpoint(u)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatal(secret)
	}
	c := e.create(admin)
	e.drain()
	list, err := e.wh.Deliveries(e.ctx, admin, webhook.DeliveryFilter{Customer: &c.Reference})
	if err != nil || len(list) != 1 || list[0].State != "delivered" || list[0].LastStatus == nil || *list[0].LastStatus != 200 {
		t.Fatalf("%+v %v", list, err)
	}
	id, err := e.wh.Redeliver(e.ctx, admin, ep.Reference, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	e.drain()
	if got := rc.all(); len(got) != 2 || got[1].Env.EventID != got[0].Env.EventID || id == list[0].ID {
		t.Fatalf("redelivery: %d deliveries", len(got))
	}
	if err := e.wh.Delete(e.ctx, admin, ep.Reference); err != nil {
		t.Fatal(err)
	}
	if l, _ := e.wh.List(e.ctx, admin); len(l) != 0 {
		t.Fatal("deleted endpoint still listed")
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries`); n != 2 {
		t.Fatalf("%d deliveries kept, want 2", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE action LIKE 'webhook.%' AND changes_json::jsonb::text NOT LIKE '%whsec_%'`); n != 3 {
		t.Fatalf("%d webhook audit entries without the secret, want 3", n)
	}
}

// An event written through this process wakes its worker: with a poll of an
// hour, Run still delivers a customer write's event at once.
func TestRunWakesOnLocalEvent(t *testing.T) {
	db := pgtest.New(t)
	opts := fastOptions()
	opts.Poll = time.Hour
	wh := webhook.NewService(db, opts)
	e := &env{t: t, ctx: context.Background(), db: db, wh: wh,
		svc: customer.NewService(db, customer.Options{VerifyBaseURL: "https://verify.test/kyb", Events: wh})}
	rc := newReceiver(t)
	e.endpoint(rc.URL)
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
	e.create(admin)
	deliveredSoon(1)
	// the worker is idle now, waiting for its hour-long poll
	e.create(admin)
	deliveredSoon(2)
}

// Migration 00012: new webhook payloads are compressed with lz4.
func TestPayloadCompression(t *testing.T) {
	db := pgtest.New(t)
	var method string
	if err := db.Get(&method, `SELECT attcompression::text FROM pg_attribute
		WHERE attrelid = 'webhook_events'::regclass AND attname = 'payload'`); err != nil {
		t.Fatal(err)
	}
	if method != "l" {
		t.Fatalf("payload compression %q, want l (lz4)", method)
	}
}

// A payload is kept as the service encoded it: the delivered data of a
// data-updated event is byte for byte the customer in the API's JSON (its
// key order and spacing), not a re-printed copy.
func TestPayloadKeptAsEncoded(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.endpoint(rc.URL, customer.EventDataUpdated)
	c := e.create(admin)
	next, err := e.update(c, `{"description": "Kept as encoded"}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.drain()
	got := rc.all()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
	want, err := json.Marshal(customer.AsJSON(next))
	if err != nil {
		t.Fatal(err)
	}
	if string(got[0].Env.Data) != string(want) {
		t.Fatalf("delivered data\n%s\nwant the customer as the API encodes it\n%s", got[0].Env.Data, want)
	}
}

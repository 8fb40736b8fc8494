package webhook_test

import (
	"testing"

	"github.com/google/uuid"
)

// Payloads are stored as text (migration 00015), lz4-compressed: a write
// with a subscriber stores the bytes the service encoded without PostgreSQL
// checking their JSON syntax again.
func TestPayloadIsStoredAsText(t *testing.T) {
	e := newEnv(t)
	var typ, compression string
	if err := e.db.GetContext(e.ctx, &typ, `SELECT format_type(atttypid, atttypmod) FROM pg_attribute
		WHERE attrelid = 'webhook_events'::regclass AND attname = 'payload'`); err != nil {
		t.Fatal(err)
	}
	if typ != "text" {
		t.Errorf("webhook_events.payload is %s, want text", typ)
	}
	if err := e.db.GetContext(e.ctx, &compression, `SELECT attcompression FROM pg_attribute
		WHERE attrelid = 'webhook_events'::regclass AND attname = 'payload'`); err != nil {
		t.Fatal(err)
	}
	if lz4 := e.count(`SELECT count(*) FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)`); lz4 == 1 && compression != "l" {
		t.Errorf("webhook_events.payload compression %q, want lz4 (l)", compression)
	}
}

// During a rolling deploy a binary of the previous release runs beside this
// one: its outbox statements cast the payload to json, and PostgreSQL
// stores that as text in the new column; the worker delivers those events
// with their payloads byte for byte.
func TestPreviousReleaseWritesPayloadsIntoText(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	e.endpoint(rcv.URL, dataUpdated)
	c := e.create(officer)
	payloads := []string{`{"reference":"` + c.Reference.String() + `","note":"one \u003c two"}`, `{"n": [1, 2, 3]}`}
	// the previous release's forms: Emit's statement ($4 typed by the
	// column: json then) and the bulk and in-statement ones (u.payload::json)
	for i, q := range []string{
		`WITH ep AS (SELECT id FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL AND events @> ARRAY[$2::text]),
		ev AS (INSERT INTO webhook_events (event_id, name, customer_id, payload)
		  SELECT $1, $2, $3, $4::json WHERE EXISTS (SELECT 1 FROM ep) RETURNING id)
		INSERT INTO webhook_deliveries (event_id, endpoint_id, customer_id) SELECT ev.id, ep.id, $3 FROM ev, ep`,
		`WITH ev AS (INSERT INTO webhook_events (event_id, name, customer_id, payload)
		  SELECT u.event_id, u.name, u.customer_id, u.payload::json
		  FROM (SELECT $1::uuid, $2::text, $3::bigint, $4::text) AS u(event_id, name, customer_id, payload) RETURNING id, customer_id)
		INSERT INTO webhook_deliveries (event_id, endpoint_id, customer_id)
		SELECT ev.id, ep.id, ev.customer_id FROM ev, webhook_endpoints ep WHERE ep.deleted_at IS NULL`,
	} {
		if _, err := e.db.ExecContext(e.ctx, q, uuid.New(), dataUpdated, c.ID, payloads[i]); err != nil {
			t.Fatalf("the previous release's statement %d: %v", i, err)
		}
	}
	e.drain()
	got := rcv.all()
	if len(got) != len(payloads) {
		t.Fatalf("received %d events, want %d", len(got), len(payloads))
	}
	for i, r := range got {
		if string(r.Env.Data) != payloads[i] {
			t.Errorf("event %d's data %s, want %s", i, r.Env.Data, payloads[i])
		}
	}
}

package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/google/uuid"
)

// claimSQL records the outcomes of the previous tries ($4…$10, see
// recordSQL) and takes up to $1 due deliveries for $2, in one statement:
// pending, not held by a live claim, not one just recorded, and the oldest
// pending one of their endpoint and customer (so a customer's events reach
// each endpoint in order), of an enabled endpoint. The claim reads the
// database as it was before this statement's own outcomes, so the next
// event of a customer whose delivery is recorded here waits for the next
// claim: order is kept. SKIP LOCKED lets several workers claim side by
// side; the lease (locked_until) outlives a try, so a killed worker's claim
// expires and the delivery is tried again. It runs with roundSessionSQL's settings:
// the due deliveries are read in due_idx's order, stopping after $1.
const claimSQL = `
WITH done AS (` + recordSQL + `
), due AS (
  SELECT d.id FROM webhook_deliveries d
  WHERE d.state = 'pending' AND d.next_attempt_at <= $3
    AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.enabled AND e.deleted_at IS NULL)
    AND (d.locked_until IS NULL OR d.locked_until < $3) AND d.id <> ALL ($4::bigint[])
    AND d.id = (SELECT min(p.id) FROM webhook_deliveries p WHERE p.state = 'pending'
      AND p.endpoint_id = d.endpoint_id AND p.customer_id = d.customer_id)
  ORDER BY d.next_attempt_at, d.id
  LIMIT $1
  FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhook_deliveries d SET locked_until = $2, attempts = d.attempts + 1
FROM due, webhook_events ev, webhook_endpoints e
WHERE d.id = due.id AND ev.id = d.event_id AND e.id = d.endpoint_id
RETURNING d.id, d.attempts, ev.event_id, ev.name, ev.payload, ev.created_at AS event_at, e.url,
  e.secret, CASE WHEN e.previous_expires_at > $3 THEN e.previous_secret END AS previous_secret`

// claimed is one delivery a worker holds, its body built as it is read.
type claimed struct {
	ID             int64
	Attempts       int
	EventID        string // as PostgreSQL writes a uuid: the canonical form
	Body           []byte // the Envelope (body)
	EventAt        time.Time
	URL            string
	Secret         string
	PreviousSecret *string
}

// Envelope is the body of every delivery, as BVNK shapes it.
type Envelope struct {
	Event     string          `json:"event"`
	EventID   uuid.UUID       `json:"eventId"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// body is a delivery's JSON, an Envelope: the same bytes on every try. It
// is written by hand around the stored payload (valid JSON, the bytes stored
// as the service encoded it: json, not jsonb) rather than re-encoding it.
func body(name, eventID string, at time.Time, payload []byte) []byte {
	n := jsonString(name)
	b := make([]byte, 0, len(payload)+len(n)+128)
	b = append(b, `{"event":`...)
	b = append(b, n...)
	b = append(b, `,"eventId":"`...)
	b = append(b, eventID...)
	b = append(b, `","timestamp":"`...)
	b = at.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","data":`...)
	b = append(b, payload...)
	return append(b, '}')
}

// jsonString is s as a JSON string: as written when it needs no escaping (the
// event names do not), else as encoding/json writes it (which never fails
// on a string).
func jsonString(s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return b
		}
	}
	return append(append(append(make([]byte, 0, len(s)+2), '"'), s...), '"')
}

// Run delivers until ctx ends: `verity serve` runs it beside the web
// server. Up to Concurrency tries run at once, each handing its outcome
// back, so a slow endpoint holds only its own slots. Each round is one
// statement (claimSQL) on the worker's own connection (rounds): the outcomes
// gathered since the last round, and the next claim. Run claims again at once when a batch came back full; else
// when a try finished or an event was written by this process, at most
// every Pace; else every Poll. It returns when ctx ends and the tries under
// way are recorded.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	r := &rounds{s: s}
	defer r.close()
	t := time.NewTicker(s.opts.Poll)
	defer t.Stop()
	slots := make(chan struct{}, s.opts.Concurrency)
	outcomes := make(chan outcome, s.opts.Concurrency)
	finished := make(chan struct{}, 1)
	var wg sync.WaitGroup
	var fastUntil time.Time // after a local event, look every Pace for a while (its commit may lag the wake)
	for ctx.Err() == nil {
		want := min(s.opts.Batch, cap(slots)-len(slots))
		outs := gather(outcomes)
		batch, err := r.claimRecord(ctx, outs, want)
		if err != nil && ctx.Err() == nil {
			log.Warn("webhook deliveries: claim", "err", err)
		}
		for i := range batch {
			slots <- struct{}{}
			wg.Add(1)
			go func(c *claimed) {
				defer wg.Done()
				outcomes <- s.try(context.WithoutCancel(ctx), c)
				<-slots
				select {
				case finished <- struct{}{}:
				default:
				}
			}(&batch[i])
		}
		if want > 0 && len(batch) == want {
			continue // more may be due: no pause
		}
		pace := time.NewTimer(s.opts.Pace)
		if time.Now().After(fastUntil) {
			select {
			case <-ctx.Done():
			case <-t.C:
			case <-finished:
				<-pace.C // let a few more finish before the next round
			case <-s.wake:
				fastUntil = time.Now().Add(time.Second)
				<-pace.C
			}
		} else {
			select {
			case <-ctx.Done():
			case <-pace.C:
			}
		}
		pace.Stop()
	}
	wg.Wait()
	// outcomes already handed back are recorded even while stopping
	if _, err := r.claimRecord(context.WithoutCancel(ctx), gather(outcomes), 0); err != nil {
		log.Warn("webhook deliveries", "err", err)
	}
}

// gather takes the outcomes waiting in ch, without waiting for more.
func gather(ch <-chan outcome) []outcome {
	var out []outcome
	for {
		select {
		case o := <-ch:
			out = append(out, o)
		default:
			return out
		}
	}
}

// DeliverDue claims one batch of due deliveries and tries each, side by
// side, waiting for all; it answers how many it claimed (tests and tools).
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	r := &rounds{s: s}
	defer r.close()
	batch, err := r.claimRecord(ctx, nil, s.opts.Batch)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	outs := make([]outcome, len(batch))
	for i := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i] = s.try(context.WithoutCancel(ctx), &batch[i])
		}()
	}
	wg.Wait()
	_, err = r.claimRecord(context.WithoutCancel(ctx), outs, 0)
	return len(batch), err
}

// outcome is what one try leaves on its delivery.
type outcome struct {
	id          int64
	state       string // delivered, failed, or pending for a retry
	status      sql.NullInt64
	latencyMS   int64
	err         sql.NullString
	deliveredAt sql.NullTime
	next        sql.NullTime // the next try of a retry
}

// try makes one try of c and answers its outcome. The try runs to its own
// timeout even when the server is stopping, so its outcome can be recorded.
func (s *Service) try(ctx context.Context, c *claimed) outcome {
	out := outcome{id: c.ID, state: "pending"}
	status, latency, err := s.post(ctx, c)
	out.latencyMS = latency.Milliseconds()
	if status != 0 {
		out.status = sql.NullInt64{Int64: int64(status), Valid: true}
	}
	now := s.opts.Now()
	switch {
	case err == nil && delivered(status):
		out.state, out.deliveredAt = "delivered", sql.NullTime{Time: now, Valid: true}
		return out
	case err != nil:
		out.err = sql.NullString{String: err.Error(), Valid: true}
	}
	if c.Attempts >= s.opts.MaxAttempts || now.Sub(c.EventAt) >= s.opts.GiveUpAfter {
		out.state = "failed"
		return out
	}
	out.next = sql.NullTime{Time: now.Add(s.backoff(c.Attempts)), Valid: true}
	return out
}

// recordSQL writes the outcomes of tries ($4…$10, one array per column),
// inside claimSQL. Each applies only while its delivery is still pending: a
// slower duplicate try never undoes a recorded success. ("Not in a final
// state" is "pending", written so that the planner finds each outcome's row
// by its id rather than walk the partial "pending" indexes.)
const recordSQL = `
  UPDATE webhook_deliveries d SET state = u.state, last_status = u.status, last_latency_ms = u.latency,
    last_error = u.err, delivered_at = u.delivered_at, next_attempt_at = coalesce(u.next, d.next_attempt_at),
    locked_until = NULL
  FROM unnest($4::bigint[], $5::text[], $6::int[], $7::int[], $8::text[], $9::timestamptz[], $10::timestamptz[])
    AS u(id, state, status, latency, err, delivered_at, next)
  WHERE d.id = ANY ($4::bigint[]) AND d.id = u.id AND d.state NOT IN ('delivered', 'failed', 'cancelled')
  RETURNING d.id`

// post sends the signed body once and reads at most MaxResponseBody of the
// answer; a non-2xx answer's text becomes the error.
func (s *Service) post(ctx context.Context, c *claimed) (int, time.Duration, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return 0, 0, err
	}
	secrets := []string{c.Secret}
	if c.PreviousSecret != nil {
		secrets = append(secrets, *c.PreviousSecret)
	}
	h := make(http.Header, 8)
	h["User-Agent"] = []string{"Verity-Webhooks/1"}
	sign(h, u, c.EventID, s.opts.Now(), c.Body, secrets...)
	start := time.Now()
	status, text, err := s.sender.post(ctx, u, h, c.Body, MaxResponseBody)
	latency := time.Since(start)
	if err != nil {
		return status, latency, err
	}
	if delivered(status) {
		return status, latency, nil
	}
	if len(text) > 200 {
		text = text[:200]
	}
	return status, latency, fmt.Errorf("HTTP %d: %s", status, bytes.ToValidUTF8(text, nil))
}

// delivered is THE rule of a try's success: a 2xx answer.
func delivered(status int) bool { return status >= 200 && status < 300 }

// backoff is the wait before the next try after `attempts` tries: full
// jitter, a random wait up to BaseBackoff·2^(attempts-1), capped at MaxBackoff.
func (s *Service) backoff(attempts int) time.Duration {
	ceiling := s.opts.MaxBackoff
	if attempts < 40 {
		if d := s.opts.BaseBackoff << (attempts - 1); d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

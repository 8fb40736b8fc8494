package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
)

// claimSQL takes up to $1 due deliveries for $2: pending, not held by a live
// claim, and the oldest pending one of their endpoint and customer (so a
// customer's events reach each endpoint in order), of an enabled endpoint.
// SKIP LOCKED lets several workers claim side by side; the lease
// (locked_until) outlives a try, so a killed worker's claim expires and
// the delivery is tried again.
const claimSQL = `
WITH due AS (
  SELECT d.id FROM webhook_deliveries d
  JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled AND e.deleted_at IS NULL
  WHERE d.state = 'pending' AND d.next_attempt_at <= $3
    AND (d.locked_until IS NULL OR d.locked_until < $3)
    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.state = 'pending'
      AND p.endpoint_id = d.endpoint_id AND p.customer_id = d.customer_id AND p.id < d.id)
  ORDER BY d.next_attempt_at, d.id
  LIMIT $1
  FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhook_deliveries d SET locked_until = $2, attempts = d.attempts + 1
FROM due, webhook_events ev, webhook_endpoints e
WHERE d.id = due.id AND ev.id = d.event_id AND e.id = d.endpoint_id
RETURNING d.id, d.attempts, ev.event_id, ev.name, ev.payload, ev.created_at AS event_at, e.url,
  e.secret, CASE WHEN e.previous_expires_at > $3 THEN e.previous_secret END AS previous_secret`

// claimed is one delivery a worker holds.
type claimed struct {
	ID             int64           `db:"id"`
	Attempts       int             `db:"attempts"`
	EventID        uuid.UUID       `db:"event_id"`
	Name           string          `db:"name"`
	Payload        json.RawMessage `db:"payload"`
	EventAt        time.Time       `db:"event_at"`
	URL            string          `db:"url"`
	Secret         string          `db:"secret"`
	PreviousSecret *string         `db:"previous_secret"`
}

// Envelope is the body of every delivery, as BVNK shapes it.
type Envelope struct {
	Event     string          `json:"event"`
	EventID   uuid.UUID       `json:"eventId"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// body is the delivery's JSON, an Envelope: the same bytes on every try.
// It is written by hand around the stored payload (valid JSON, as
// PostgreSQL's jsonb prints it) rather than re-encoding it.
func (c *claimed) body() ([]byte, error) {
	name, err := json.Marshal(c.Name)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(c.Payload)+len(name)+128)
	b = append(b, `{"event":`...)
	b = append(b, name...)
	b = append(b, `,"eventId":"`...)
	b = append(b, c.EventID.String()...)
	b = append(b, `","timestamp":"`...)
	b = c.EventAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","data":`...)
	b = append(b, c.Payload...)
	return append(b, '}'), nil
}

// Run delivers until ctx ends: `verity serve` runs it beside the web
// server. Up to Concurrency tries run at once, each recording its own
// outcome, so a slow endpoint holds only its own slots; Run claims again as
// soon as a batch came back full or a try finished (at most every 10 ms),
// else every Poll. It returns when ctx ends and the tries under way are recorded.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(s.opts.Poll)
	defer t.Stop()
	slots := make(chan struct{}, s.opts.Concurrency)
	finished := make(chan struct{}, 1)
	outcomes := make(chan outcome, s.opts.Concurrency)
	recorded := make(chan struct{})
	go func() { defer close(recorded); s.recorder(outcomes, log) }()
	var wg sync.WaitGroup
	defer func() { wg.Wait(); close(outcomes); <-recorded }()
	for ctx.Err() == nil {
		want := min(s.opts.Batch, cap(slots)-len(slots))
		var batch []claimed
		if want > 0 {
			var err error
			if batch, err = s.claim(ctx, want); err != nil && ctx.Err() == nil {
				log.Warn("webhook deliveries: claim", "err", err)
			}
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
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-finished:
			time.Sleep(10 * time.Millisecond) // let a few more finish before the next claim
		}
	}
}

// claim takes up to n due deliveries (claimSQL).
func (s *Service) claim(ctx context.Context, n int) ([]claimed, error) {
	now := s.opts.Now()
	var batch []claimed
	if err := s.db.SelectContext(ctx, &batch, claimSQL, n, now.Add(s.opts.Lease), now); err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	return batch, nil
}

// DeliverDue claims one batch of due deliveries and tries each, side by
// side, waiting for all; it answers how many it claimed (tests and tools).
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	batch, err := s.claim(ctx, s.opts.Batch)
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
	return len(batch), s.record(context.WithoutCancel(ctx), outs)
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
	body, err := c.body()
	var status int
	var latency time.Duration
	if err == nil {
		status, latency, err = s.post(ctx, c, body)
	}
	out.latencyMS = latency.Milliseconds()
	if status != 0 {
		out.status = sql.NullInt64{Int64: int64(status), Valid: true}
	}
	now := s.opts.Now()
	switch {
	case err == nil && status >= 200 && status < 300:
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

// recordSQL writes the outcomes of tries in one statement. Each applies only
// while its delivery is still pending: a slower duplicate try never undoes a
// recorded success.
const recordSQL = `
UPDATE webhook_deliveries d SET state = u.state, last_status = u.status, last_latency_ms = u.latency,
  last_error = u.err, delivered_at = u.delivered_at, next_attempt_at = coalesce(u.next, d.next_attempt_at),
  locked_until = NULL
FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::text[], $6::timestamptz[], $7::timestamptz[])
  AS u(id, state, status, latency, err, delivered_at, next)
WHERE d.id = u.id AND d.state = 'pending'`

// record stores outcomes.
func (s *Service) record(ctx context.Context, list []outcome) error {
	if len(list) == 0 {
		return nil
	}
	n := len(list)
	ids, states, latency := make([]int64, n), make([]string, n), make([]int64, n)
	status, errs := make([]sql.NullInt64, n), make([]sql.NullString, n)
	delivered, next := make([]sql.NullTime, n), make([]sql.NullTime, n)
	for i, o := range list {
		ids[i], states[i], latency[i], status[i], errs[i], delivered[i], next[i] =
			o.id, o.state, o.latencyMS, o.status, o.err, o.deliveredAt, o.next
	}
	_, err := s.db.ExecContext(ctx, recordSQL, pq.Array(ids), pq.Array(states), pq.Array(status), pq.Array(latency),
		pq.Array(errs), pq.Array(delivered), pq.Array(next))
	if err != nil {
		return fmt.Errorf("record webhook deliveries: %w", err)
	}
	return nil
}

// recorder writes the outcomes Run's tries send, a batch at a time (up to
// 64, or whatever arrived within 10 ms of the first), until outcomes is
// closed and drained.
func (s *Service) recorder(outcomes <-chan outcome, log *slog.Logger) {
	ctx := context.Background() // outcomes already sent are recorded even while stopping
	for first := range outcomes {
		batch := []outcome{first}
		timer := time.NewTimer(10 * time.Millisecond)
	gather:
		for len(batch) < 64 {
			select {
			case o, ok := <-outcomes:
				if !ok {
					break gather
				}
				batch = append(batch, o)
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		if err := s.record(ctx, batch); err != nil {
			log.Warn("webhook deliveries", "err", err)
		}
	}
}

// post sends the signed body once and reads at most MaxResponseBody of the
// answer; a non-2xx answer's text becomes the error.
func (s *Service) post(ctx context.Context, c *claimed, body []byte) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	secrets := []string{c.Secret}
	if c.PreviousSecret != nil {
		secrets = append(secrets, *c.PreviousSecret)
	}
	req.Header.Set("User-Agent", "Verity-Webhooks/1")
	sign(req.Header, c.URL, c.EventID.String(), s.opts.Now(), body, secrets...)
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody))
	latency := time.Since(start)
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		if len(text) > 200 {
			text = text[:200]
		}
		return resp.StatusCode, latency, fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.ToValidUTF8(text, nil))
	}
	return resp.StatusCode, latency, nil
}

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

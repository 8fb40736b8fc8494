package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
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

// body is the delivery's JSON: the same bytes on every try.
func (c *claimed) body() ([]byte, error) {
	return json.Marshal(Envelope{Event: c.Name, EventID: c.EventID, Timestamp: c.EventAt.UTC(), Data: c.Payload})
}

// Run delivers until ctx ends: `verity serve` runs it beside the web server.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(s.opts.Poll)
	defer t.Stop()
	for {
		n, err := s.DeliverDue(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("webhook deliveries", "err", err)
		}
		if n == s.opts.Batch && err == nil {
			continue // more may be due: no pause
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DeliverDue claims one batch of due deliveries and tries each, side by
// side; it answers how many it claimed.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	now := s.opts.Now()
	var batch []claimed
	if err := s.db.SelectContext(ctx, &batch, claimSQL, s.opts.Batch, now.Add(s.opts.Lease), now); err != nil {
		return 0, fmt.Errorf("claim: %w", err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(batch))
	for i := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.deliver(context.WithoutCancel(ctx), &batch[i])
		}()
	}
	wg.Wait()
	return len(batch), errors.Join(errs...)
}

// deliver makes one try and records its outcome. The try runs to its own
// timeout even when the server is stopping, so its outcome is recorded.
func (s *Service) deliver(ctx context.Context, c *claimed) error {
	body, err := c.body()
	if err != nil {
		return err
	}
	status, latency, tryErr := s.post(ctx, c, body)
	if tryErr == nil && status >= 200 && status < 300 {
		_, err := s.db.ExecContext(ctx, deliveredSQL, c.ID, status, latency.Milliseconds(), s.opts.Now())
		return err
	}
	msg := ""
	if tryErr != nil {
		msg = tryErr.Error()
	}
	now := s.opts.Now()
	if c.Attempts >= s.opts.MaxAttempts || now.Sub(c.EventAt) >= s.opts.GiveUpAfter {
		_, err := s.db.ExecContext(ctx, failedSQL, c.ID, nullInt(status), latency.Milliseconds(), msg)
		return err
	}
	next := now.Add(s.backoff(c.Attempts))
	_, err = s.db.ExecContext(ctx, retrySQL, c.ID, nullInt(status), latency.Milliseconds(), msg, next)
	return err
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

func nullInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// The outcomes of a try. Each applies only while the delivery is still
// pending: a slower duplicate try never undoes a recorded success.
const (
	deliveredSQL = `UPDATE webhook_deliveries SET state = 'delivered', last_status = $2, last_latency_ms = $3,
  last_error = NULL, delivered_at = $4, locked_until = NULL WHERE id = $1 AND state = 'pending'`
	failedSQL = `UPDATE webhook_deliveries SET state = 'failed', last_status = $2, last_latency_ms = $3,
  last_error = $4, locked_until = NULL WHERE id = $1 AND state = 'pending'`
	retrySQL = `UPDATE webhook_deliveries SET last_status = $2, last_latency_ms = $3, last_error = $4,
  next_attempt_at = $5, locked_until = NULL WHERE id = $1 AND state = 'pending'`
)

package webhook

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/customer"
)

// subscribersSQL is THE rule of who receives an event: the enabled, not
// deleted endpoints subscribed to its name (the text expression name, e.g. "$2::text").
func subscribersSQL(name string) string {
	return `SELECT id FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL AND events @> ARRAY[` + name + `]`
}

// emitSQL stores an event and one delivery per enabled endpoint subscribed
// to it, in one statement; with no such endpoint it stores nothing (an
// endpoint added later does not receive older events).
var emitSQL = `
WITH ep AS (` + subscribersSQL("$2::text") + `
), ev AS (
  INSERT INTO webhook_events (event_id, name, customer_id, payload)
  SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM ep) RETURNING id
)
INSERT INTO webhook_deliveries (event_id, endpoint_id, customer_id)
SELECT ev.id, ep.id, $3 FROM ev, ep`

// Emit writes ev to the outbox in the customer write's transaction: it
// implements customer.Events.
func (s *Service) Emit(ctx context.Context, tx *sqlx.Tx, ev customer.Event) error {
	data, err := ev.Payload()
	if err != nil {
		return fmt.Errorf("webhook event %s: %w", ev.Name, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	args := []any{id, ev.Name, ev.CustomerID, string(data)}
	var res sql.Result
	if stmt := s.emitStmt(); stmt != nil {
		res, err = tx.StmtxContext(ctx, stmt).ExecContext(ctx, args...)
	} else {
		res, err = tx.ExecContext(ctx, emitSQL, args...)
	}
	if err != nil {
		return fmt.Errorf("webhook event %s: %w", ev.Name, err)
	}
	if n, _ := res.RowsAffected(); n > 0 { // someone subscribes: this process's worker looks soon
		s.woken()
	}
	return nil
}

var _ customer.StatementEvents = (*Service)(nil)

// EmitSQL answers the WITH parts that store a customer write's events inside
// the write's own statement, as Emit stores each: an event only when an
// endpoint subscribes to it, then one delivery per such endpoint; it
// implements customer.StatementEvents. One event (most writes): its id, name
// and payload are the parameters $n (uuid), $n+1 (text) and $n+2 (its JSON,
// stored as it is: a text column, migration 00015 — the service encoded it,
// so PostgreSQL need not check its syntax). Many: their ids, names and
// payloads are $n (uuid[]), $n+1 (text[]) and $n+2 (a JSON array, split in
// order). customerID is the expression of the customer's id (NULL: nothing
// is stored); the last part, outbox, returns a row per delivery stored.
//
// The two forms are two statements, not one with a branch per case: the
// general plan (an append of both branches, the array's split, a sort)
// cost PostgreSQL ~60–100 µs more per write to start and run than the one
// event's insert — in every write, subscribed or not (docs/performance.md
// "Round 19").
func (s *Service) EmitSQL(customerID string, n int, many bool) string {
	p := func(i int) string { return "$" + strconv.Itoa(n+i) }
	ev := `ev AS (
  INSERT INTO webhook_events (event_id, name, customer_id, payload)
  SELECT ` + p(0) + `::uuid, ` + p(1) + `::text, w.id, ` + p(2) + `::text FROM (SELECT ` + customerID + ` AS id) w
  WHERE w.id IS NOT NULL AND EXISTS (` + subscribersSQL(p(1)+"::text") + `) RETURNING id, name, customer_id
)`
	if many {
		ev = `ev AS (
  INSERT INTO webhook_events (event_id, name, customer_id, payload)
  SELECT x.event_id, x.name, w.id, x.payload::text
  FROM (SELECT ` + customerID + ` AS id) w,
    ROWS FROM (unnest(` + p(0) + `::uuid[]), unnest(` + p(1) + `::text[]), json_array_elements(` + p(2) + `::json))
    WITH ORDINALITY x(event_id, name, payload, i)
  WHERE w.id IS NOT NULL AND EXISTS (` + subscribersSQL("x.name") + `) ORDER BY x.i RETURNING id, name, customer_id
)`
	}
	return ev + `, outbox AS (
  INSERT INTO webhook_deliveries (event_id, endpoint_id, customer_id)
  SELECT ev.id, ep.id, ev.customer_id FROM ev CROSS JOIN LATERAL (` + subscribersSQL("ev.name") + `) ep
  ORDER BY ev.id, ep.id RETURNING 1)`
}

// Emitted tells that a write stored deliveries through EmitSQL: this
// process's worker looks soon.
func (s *Service) Emitted(deliveries int) {
	if deliveries > 0 {
		s.woken()
	}
}

// woken wakes this process's worker without waiting.
func (s *Service) woken() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// emitStmt is emitSQL prepared (on each connection as it is used), or nil
// until it is: it runs in every customer write, so it skips the parse round
// trip. The first caller starts the preparation in the background rather
// than wait for it — waiting for a free connection while holding its own
// could starve the pool.
func (s *Service) emitStmt() *sqlx.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.emit == nil && !s.preparing {
		s.preparing = true
		go func() {
			st, err := s.db.PreparexContext(context.Background(), emitSQL)
			s.mu.Lock()
			defer s.mu.Unlock()
			s.preparing = false
			if err == nil {
				s.emit = st
			}
		}()
	}
	return s.emit
}

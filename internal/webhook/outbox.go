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
// implements customer.StatementEvents. The events' ids, names and payloads
// are the parameters $n (uuid[]), $n+1 (text[]) and $n+2 (a JSON array);
// customerID is the expression of the customer's id (NULL: nothing is
// stored); the last part, outbox, returns a row per delivery stored.
func (s *Service) EmitSQL(customerID string, n int) string {
	p := func(i int) string { return "$" + strconv.Itoa(n+i) }
	// One event (most writes): its payload is the array's text inside the
	// brackets, stored as it is (a text column, migration 00015: the service
	// encoded it, so PostgreSQL need not check its syntax); splitting the
	// array with json_array_elements parsed every payload, subscribed or
	// not. Only a write with several events splits the array. (OFFSET 0
	// keeps the planner from folding a branch's cast with the parameter's
	// value — parsing it, or failing on a many-event array — when the
	// branch is not taken.)
	return `ev AS (
  INSERT INTO webhook_events (event_id, name, customer_id, payload)
  SELECT u.event_id, u.name, w.id, u.payload
  FROM (SELECT ` + customerID + ` AS id) w, (
    SELECT (` + p(0) + `::uuid[])[1], (` + p(1) + `::text[])[1], btrim(substr(a.t, 2, length(a.t) - 2), E' \t\r\n'), 1::bigint
    FROM (SELECT btrim(` + p(2) + `::text, E' \t\r\n') AS t WHERE cardinality(` + p(0) + `::uuid[]) = 1 OFFSET 0) a
    UNION ALL
    SELECT x.event_id, x.name, x.payload::text, x.i FROM (SELECT ` + p(2) + `::text AS t WHERE cardinality(` + p(0) + `::uuid[]) > 1 OFFSET 0) a,
      ROWS FROM (unnest(` + p(0) + `::uuid[]), unnest(` + p(1) + `::text[]), json_array_elements(a.t::json))
      WITH ORDINALITY x(event_id, name, payload, i)
  ) AS u(event_id, name, payload, i)
  WHERE w.id IS NOT NULL AND EXISTS (` + subscribersSQL("u.name") + `) ORDER BY u.i RETURNING id, name, customer_id
), outbox AS (
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

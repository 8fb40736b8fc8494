package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/customer"
)

// subscribersSQL is THE rule of who receives an event: the enabled, not
// deleted endpoints subscribed to its name (parameter $n).
func subscribersSQL(n string) string {
	return `SELECT id FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL AND events @> ARRAY[$` + n + `::text]`
}

// emitSQL stores an event and one delivery per enabled endpoint subscribed
// to it, in one statement; with no such endpoint it stores nothing (an
// endpoint added later does not receive older events).
var emitSQL = `
WITH ep AS (` + subscribersSQL("2") + `
), ev AS (
  INSERT INTO webhook_events (event_id, name, customer_id, payload)
  SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM ep) RETURNING id
)
INSERT INTO webhook_deliveries (event_id, endpoint_id, customer_id)
SELECT ev.id, ep.id, $3 FROM ev, ep`

// Emit writes ev to the outbox in the customer write's transaction: it
// implements customer.Events.
func (s *Service) Emit(ctx context.Context, tx *sqlx.Tx, ev customer.Event) error {
	data, err := json.Marshal(ev.Data)
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
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

var _ customer.Events = (*Service)(nil)

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

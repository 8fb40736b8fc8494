package webhook

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// rounds is a worker's own connection to PostgreSQL: the settings of its
// rounds (roundSessionSQL) are set once for the session, claimSQL is
// prepared on it, and each round is that one statement in autocommit — one
// round trip, where a transaction of its own took four (BEGIN, the settings,
// the statement, COMMIT). The connection is never handed back to the pool
// with those settings: after an error, and when the worker stops, it is
// closed, and the next round opens a new one.
type rounds struct {
	s    *Service
	conn *sqlx.Conn
	stmt *sqlx.Stmt
}

// claimRecord records outs and takes up to n due deliveries (claimSQL) on
// the worker's connection, opening it first when needed. When it fails, the
// outcomes are not recorded: their deliveries are tried again when their
// lease runs out (at least once).
func (r *rounds) claimRecord(ctx context.Context, outs []outcome, n int) ([]claimed, error) {
	err := r.open(ctx)
	var batch []claimed
	if err == nil {
		batch, err = scanClaimed(r.stmt.QueryContext(ctx, r.s.roundArgs(outs, n)...))
	}
	if err != nil {
		r.close()
		return nil, fmt.Errorf("claim and record webhook deliveries: %w", err)
	}
	return batch, nil
}

// scanClaimed reads claimSQL's rows, column by column in its order (no
// reflection per row: a round may bring back dozens).
func scanClaimed(rows *sql.Rows, err error) ([]claimed, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var batch []claimed
	var name string
	var payload sql.RawBytes // the driver's bytes, copied once: into the body
	for rows.Next() {
		var c claimed
		if err := rows.Scan(&c.ID, &c.Attempts, &c.EventID, &name, &payload, &c.EventAt, &c.URL,
			&c.Secret, &c.PreviousSecret); err != nil {
			return nil, err
		}
		c.Body = body(name, c.EventID, c.EventAt, payload)
		batch = append(batch, c)
	}
	return batch, rows.Err()
}

// open gets the worker's connection ready, unless it is.
func (r *rounds) open(ctx context.Context) error {
	if r.conn != nil {
		return nil
	}
	conn, err := r.s.db.Connx(ctx)
	if err != nil {
		return err
	}
	r.conn = conn
	if _, err := conn.ExecContext(ctx, roundSessionSQL); err != nil {
		return err
	}
	r.stmt, err = conn.PreparexContext(ctx, claimSQL)
	return err
}

// close closes the worker's connection for good: it leaves the pool rather
// than return to it with the rounds' settings.
func (r *rounds) close() {
	if r.conn == nil {
		return
	}
	if r.stmt != nil {
		_ = r.stmt.Close()
	}
	_ = r.conn.Raw(func(any) error { return driver.ErrBadConn }) // discard, never reuse
	_ = r.conn.Close()
	r.conn, r.stmt = nil, nil
}

// roundArgs are claimSQL's parameters: take up to n, record outs.
func (s *Service) roundArgs(outs []outcome, n int) []any {
	now := s.opts.Now()
	k := len(outs)
	ids, states, latency := make([]int64, k), make([]string, k), make([]int64, k)
	status, errs := make([]sql.NullInt64, k), make([]sql.NullString, k)
	delivered, next := make([]sql.NullTime, k), make([]sql.NullTime, k)
	for i, o := range outs {
		ids[i], states[i], latency[i], status[i], errs[i], delivered[i], next[i] =
			o.id, o.state, o.latencyMS, o.status, o.err, o.deliveredAt, o.next
	}
	return []any{n, now.Add(s.opts.Lease), now, pq.Array(ids), pq.Array(states), pq.Array(status),
		pq.Array(latency), pq.Array(errs), pq.Array(delivered), pq.Array(next)}
}

// WorkerApplicationName names the worker's own connection in
// pg_stat_activity.
const WorkerApplicationName = "verity webhook worker"

// roundSessionSQL sets up the worker's own connection (rounds), once.
//   - Index scans only: the statistics count few pending deliveries (when
//     the worker keeps up, there are few), so the planner would rather read
//     every entry of a partial "pending" index and sort, or scan the table.
//     But those indexes also hold an entry for each delivery done since the
//     last vacuum, and a bitmap scan reads them all in every round and never
//     marks them dead: rounds slowed as the table grew. A plain index scan
//     reads due_idx in order, stops after the batch, and marks the dead
//     entries it passes so that the next round skips them. The plan is made
//     once per connection (the generic plan of the prepared statement), not
//     in every round: the parameters do not change which plan is right.
//   - No wait for the WAL flush at commit: a round's claims and outcomes lost
//     in a crash of PostgreSQL itself only mean those deliveries are tried
//     again — at least once, as after a killed process — and the worker no
//     longer adds a disk flush of its own beside the writes' commits.
//
// Only this connection has these settings; it never returns to the pool.
const roundSessionSQL = `SET enable_bitmapscan = off; SET enable_sort = off; SET enable_seqscan = off;
SET plan_cache_mode = force_generic_plan; SET synchronous_commit = off;
SET application_name = '` + WorkerApplicationName + `'`

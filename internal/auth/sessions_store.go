package auth

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

const insertSessionSQL = `
INSERT INTO staff_sessions (id, user_id, user_version, created_at, last_seen_at, user_agent, ip)
VALUES ($1, $2, $3, $4, $4, $5, $6)`

// insertSession stores a new open session.
func insertSession(ctx context.Context, db sqlx.ExecerContext, id []byte, u *User, c Client, now time.Time) error {
	_, err := db.ExecContext(ctx, insertSessionSQL, id, u.ID, u.SessionVersion, now, c.UserAgent, c.IP)
	return err
}

// sessionUserRow is the per-request read: the account and the session.
type sessionUserRow struct {
	User
	Version  int       `db:"s_version"`
	Created  time.Time `db:"s_created"`
	Seen     time.Time `db:"s_seen"`
	EndedWhy *string   `db:"s_ended_why"`
}

// The one query every signed-in page request makes: the session by its
// primary key joined with its user by theirs.
const sessionUserSQL = `
SELECT u.id, u.email, u.name, u.role, u.active, u.session_version, u.created_at, u.updated_at, u.last_login_at,
       s.user_version AS s_version, s.created_at AS s_created, s.last_seen_at AS s_seen, s.ended_why AS s_ended_why
FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id
WHERE s.id = $1`

// sessionUser loads a session and its user; nil, nil when there is none.
// stmt is sessionUserSQL prepared (nil: run it unprepared).
func sessionUser(ctx context.Context, db sqlx.QueryerContext, stmt *sqlx.Stmt, id []byte) (*sessionUserRow, error) {
	var r sessionUserRow
	var err error
	if stmt != nil {
		err = stmt.GetContext(ctx, &r, id)
	} else {
		err = sqlx.GetContext(ctx, db, &r, sessionUserSQL, id)
	}
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	return &r, nil
}

const touchSessionSQL = `UPDATE staff_sessions SET last_seen_at = $2 WHERE id = $1 AND ended_at IS NULL AND last_seen_at < $2`

// touchSession moves a session's idle clock.
func touchSession(ctx context.Context, db sqlx.ExecerContext, id []byte, now time.Time) error {
	_, err := db.ExecContext(ctx, touchSessionSQL, id, now)
	return err
}

const endSessionSQL = `
UPDATE staff_sessions SET ended_at = $3, ended_why = $4
WHERE id = $1 AND ($2::bigint IS NULL OR user_id = $2) AND ended_at IS NULL`

// endSession ends one open session (of userID, when given); it tells
// whether there was one to end.
func endSession(ctx context.Context, db sqlx.ExecerContext, id []byte, userID *int64, why string, now time.Time) (bool, error) {
	res, err := db.ExecContext(ctx, endSessionSQL, id, userID, now, why)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

const endUserSessionsSQL = `
UPDATE staff_sessions SET ended_at = $3, ended_why = $4
WHERE user_id = $1 AND ended_at IS NULL AND ($2::bytea IS NULL OR id <> $2)`

// endUserSessions ends every open session of a user but keep (nil: all) and
// returns how many it ended.
func endUserSessions(ctx context.Context, db sqlx.ExecerContext, userID int64, keep []byte, why string, now time.Time) (int, error) {
	var k any // a nil []byte would not reliably be NULL
	if keep != nil {
		k = keep
	}
	res, err := db.ExecContext(ctx, endUserSessionsSQL, userID, k, now, why)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

const setSessionVersionSQL = `UPDATE staff_sessions SET user_version = $2 WHERE id = $1`

// setSessionVersion carries a session over a session_version bump (the
// password change made in it).
func setSessionVersion(ctx context.Context, db sqlx.ExecerContext, id []byte, version int) error {
	_, err := db.ExecContext(ctx, setSessionVersionSQL, id, version)
	return err
}

// The open sessions of a user, most recently used first; idle or too old
// ones are over even when no request has ended them yet.
const listSessionsSQL = `
SELECT id, created_at, last_seen_at, user_agent, ip
FROM staff_sessions
WHERE user_id = $1 AND ended_at IS NULL AND last_seen_at > $2 AND created_at > $3
ORDER BY last_seen_at DESC, created_at DESC`

// listSessions returns a user's open sessions.
func listSessions(ctx context.Context, db sqlx.QueryerContext, userID int64, now time.Time) ([]Session, error) {
	var rows []struct {
		ID        []byte    `db:"id"`
		CreatedAt time.Time `db:"created_at"`
		LastSeen  time.Time `db:"last_seen_at"`
		UserAgent string    `db:"user_agent"`
		IP        string    `db:"ip"`
	}
	if err := sqlx.SelectContext(ctx, db, &rows, listSessionsSQL, userID, now.Add(-SessionIdle), now.Add(-SessionMaxAge)); err != nil {
		return nil, err
	}
	out := make([]Session, 0, len(rows))
	for _, r := range rows {
		out = append(out, Session{Handle: handleOf(r.ID), CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeen, UserAgent: r.UserAgent, IP: r.IP})
	}
	return out, nil
}

const pruneSessionsSQL = `DELETE FROM staff_sessions WHERE last_seen_at < $1`

// pruneSessions deletes sessions unused since before, ended or not (an open
// one that old is long past its lifetime).
func pruneSessions(ctx context.Context, db sqlx.ExecerContext, before time.Time) error {
	_, err := db.ExecContext(ctx, pruneSessionsSQL, before)
	return err
}

// preparedSessionQuery keeps the per-request query prepared, so PostgreSQL
// parses and plans the join once per connection instead of on every page.
type preparedSessionQuery struct {
	once sync.Once
	stmt *sqlx.Stmt
}

// get prepares the statement on first use (the caller holds no connection,
// so waiting for one cannot deadlock) and returns it; nil when preparing
// failed, and then the query runs unprepared for the life of the process.
func (p *preparedSessionQuery) get(ctx context.Context, db *sqlx.DB) *sqlx.Stmt {
	p.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		p.stmt, _ = db.PreparexContext(ctx, sessionUserSQL)
	})
	return p.stmt
}

package auth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/postgres"
)

// userRow is a staff_users row, password hash included; it never leaves the package.
type userRow struct {
	User
	PasswordHash string `db:"password_hash"`
}

const userColumns = `id, email, name, role, active, session_version, created_at, updated_at, last_login_at`

const insertUserSQL = `
INSERT INTO staff_users (email, name, role, password_hash, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5)
RETURNING ` + userColumns

// insertUser stores a new account; a taken e-mail (compared case-insensitively
// by the unique index on lower(email)) comes back as a field error.
func insertUser(ctx context.Context, db sqlx.QueryerContext, email, name string, role access.Role, hash string, now time.Time) (*User, error) {
	var u User
	err := sqlx.GetContext(ctx, db, &u, insertUserSQL, email, name, string(role), hash, now)
	if isUniqueViolation(err, "staff_users_email_key") {
		return nil, apperr.Invalid(apperr.FieldErrors{"email": {msgEmailTaken}})
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

const msgEmailTaken = "is already used by another account"

const getUserSQL = `SELECT ` + userColumns + `, password_hash FROM staff_users WHERE id = $1`

// getUser loads one account; lock takes a row lock for a read-modify-write.
func getUser(ctx context.Context, db sqlx.QueryerContext, id int64, lock bool) (*userRow, error) {
	q := getUserSQL
	if lock {
		q += ` FOR UPDATE`
	}
	var u userRow
	if err := sqlx.GetContext(ctx, db, &u, q, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound("staff user")
		}
		return nil, err
	}
	return &u, nil
}

// The unique index on lower(email) serves this lookup.
const getUserByEmailSQL = `SELECT ` + userColumns + `, password_hash FROM staff_users WHERE lower(email) = lower($1)`

// getUserByEmail finds the account signing in; nil, nil when there is none.
func getUserByEmail(ctx context.Context, db sqlx.QueryerContext, email string) (*userRow, error) {
	var u userRow
	if err := sqlx.GetContext(ctx, db, &u, getUserByEmailSQL, email); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	return &u, nil
}

const listUsersSQL = `SELECT ` + userColumns + ` FROM staff_users ORDER BY active DESC, lower(name), id`

// listUsers returns every account, active ones first, by name.
func listUsers(ctx context.Context, db sqlx.QueryerContext) ([]User, error) {
	out := []User{}
	if err := sqlx.SelectContext(ctx, db, &out, listUsersSQL); err != nil {
		return nil, err
	}
	return out, nil
}

// Every change that alters what a session may do bumps session_version, which
// voids the sessions that started under the old value at their next request
// (the service also ends them in staff_sessions, with the reason).
const updateAccessSQL = `
UPDATE staff_users SET role = $2, active = $3, session_version = session_version + 1, updated_at = $4
WHERE id = $1
RETURNING ` + userColumns

// updateAccess sets role and active together and ends the user's sessions.
func updateAccess(ctx context.Context, db sqlx.QueryerContext, id int64, role access.Role, active bool, now time.Time) (*User, error) {
	var u User
	if err := sqlx.GetContext(ctx, db, &u, updateAccessSQL, id, string(role), active, now); err != nil {
		return nil, err
	}
	return &u, nil
}

const updatePasswordSQL = `
UPDATE staff_users SET password_hash = $2, session_version = session_version + 1, updated_at = $3
WHERE id = $1
RETURNING session_version`

// updatePassword stores a new hash and returns the new session version.
func updatePassword(ctx context.Context, db sqlx.QueryerContext, id int64, hash string, now time.Time) (int, error) {
	var v int
	err := sqlx.GetContext(ctx, db, &v, updatePasswordSQL, id, hash, now)
	return v, err
}

// A rehash on sign-in keeps the session version: the password is the same.
const recordLoginSQL = `
UPDATE staff_users SET last_login_at = $2, password_hash = COALESCE($3, password_hash)
WHERE id = $1
RETURNING last_login_at`

// recordLogin notes the sign-in time and, when rehash is set, the upgraded hash.
func recordLogin(ctx context.Context, db sqlx.QueryerContext, id int64, now time.Time, rehash *string) (time.Time, error) {
	var at time.Time
	err := sqlx.GetContext(ctx, db, &at, recordLoginSQL, id, now, rehash)
	return at, err
}

// isUniqueViolation tells whether err is PostgreSQL's 23505 on the named
// constraint or unique index.
func isUniqueViolation(err error, constraint string) bool {
	c, ok := postgres.IsUniqueViolation(err)
	return ok && c == constraint
}

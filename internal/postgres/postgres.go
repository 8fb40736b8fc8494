// Package postgres is Verity's one door to PostgreSQL: it opens connection
// pools with the settings we rely on, runs transactions and migrations, maps
// driver errors, and can launch a private PostgreSQL server from the binaries
// found on the machine (for `verity serve` without DATABASE_URL and for tests).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// Pool settings: two cores serve a handful of busy connections best; idle
// connections are closed so a quiet app does not pin server backends.
const (
	maxOpenConns    = 16
	maxIdleConns    = 16
	connMaxIdleTime = 5 * time.Minute
	connMaxLifetime = time.Hour
	pingTimeout     = 10 * time.Second
)

// Open connects to the database at dsn (URL or key=value form) with Verity's
// pool settings, and pings it so a wrong DATABASE_URL fails at start, not at
// the first request.
//
// It adds binary_parameters=yes unless the DSN sets it: lib/pq then sends
// parse, bind and execute in one round trip instead of preparing first. The
// catch: a []byte argument is sent as binary data, which suits bytea but not
// jsonb or uuid columns — pass JSON and UUIDs as string (or a type whose
// Value returns a string).
func Open(ctx context.Context, dsn string) (*sqlx.DB, error) {
	db, err := OpenUnchecked(dsn)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return db, nil
}

// OpenUnchecked is Open without the ping, for a server that may be down
// when we start and is watched instead (a read replica).
func OpenUnchecked(dsn string) (*sqlx.DB, error) {
	dsn, err := withBinaryParameters(dsn)
	if err != nil {
		return nil, err
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL: %w", err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	db.SetConnMaxLifetime(connMaxLifetime)
	return db, nil
}

// withBinaryParameters adds binary_parameters=yes to dsn unless it is
// already there (set either way), keeping everything else as written.
func withBinaryParameters(dsn string) (string, error) {
	return withOption(dsn, "binary_parameters", "yes")
}

// withOption adds key=value to dsn (URL or key=value form) unless key is
// already there, keeping everything else as written.
func withOption(dsn, key, value string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			// The error names the URL, password included: keep it out.
			return "", errors.New("the database URL is not a valid URL (postgres://user:password@host:port/dbname?sslmode=...)")
		}
		if u.Query().Has(key) {
			return dsn, nil
		}
		if u.RawQuery == "" {
			u.RawQuery = key + "=" + value
		} else {
			u.RawQuery += "&" + key + "=" + value
		}
		return u.String(), nil
	}
	if regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(key) + `\s*=`).MatchString(dsn) {
		return dsn, nil
	}
	if strings.TrimSpace(dsn) == "" {
		return key + "=" + value, nil
	}
	return dsn + " " + key + "=" + value, nil
}

// OpenReplica is OpenUnchecked for a read replica, with connect_timeout=2
// unless the DSN sets one: a replica host that stopped answering must not
// hold requests for the system's TCP timeout; its watcher turns reads to the
// primary within a second.
func OpenReplica(dsn string) (*sqlx.DB, error) {
	dsn, err := withOption(dsn, "connect_timeout", "2")
	if err != nil {
		return nil, err
	}
	return OpenUnchecked(dsn)
}

// WithTx runs fn in a transaction and commits when fn returns nil; any error
// or panic rolls back, so a half-done change (and its audit entry) never lands.
// fn's error is returned as is, so callers can still use errors.Is on it.
func WithTx(ctx context.Context, db *sqlx.DB, fn func(*sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit

	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err is PostgreSQL's unique_violation
// (23505) and names the constraint (or unique index) that refused the row, so
// a store can turn it into a Conflict a person can read.
func IsUniqueViolation(err error) (constraint string, ok bool) {
	if pqErr := pq.As(err, pqerror.UniqueViolation); pqErr != nil {
		return pqErr.Constraint, true
	}
	return "", false
}

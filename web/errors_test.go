package web

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/apperr"
)

func TestDatabaseUnavailable(t *testing.T) {
	unavailable := map[string]error{
		"BadConn":         fmt.Errorf("get customer: %w", driver.ErrBadConn),
		"ConnDone":        sql.ErrConnDone,
		"Refused":         &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED},
		"Reset":           fmt.Errorf("query: %w", syscall.ECONNRESET),
		"PoolTimeout":     fmt.Errorf("acquire: %w", context.DeadlineExceeded),
		"Class08":         &pq.Error{Code: "08006"},
		"AdminShutdown":   &pq.Error{Code: "57P01"},
		"CrashShutdown":   &pq.Error{Code: "57P02"},
		"CannotConnect":   &pq.Error{Code: "57P03"},
		"TooManyConns":    &pq.Error{Code: "53300"},
		"ClosedPool":      errors.New("sql: database is closed"),
		"WrappedInternal": &apperr.Error{Kind: apperr.KindInternal, Message: "load", Err: &pq.Error{Code: "57P01"}},
	}
	for name, err := range unavailable {
		t.Run("Unavailable_"+name, func(t *testing.T) {
			env := ToEnvelope(err, "rid", nil)
			if env.Status != http.StatusServiceUnavailable || env.Code != "database_unavailable" || env.RetryAfter <= 0 {
				t.Errorf("%v → %d %s retry %v, want 503 database_unavailable with Retry-After", err, env.Status, env.Code, env.RetryAfter)
			}
		})
	}
	internal := map[string]error{
		"UndefinedTable":  &pq.Error{Code: "42P01"},
		"UniqueViolation": &pq.Error{Code: "23505"},
		"Plain":           errors.New("boom"),
		"NoRows":          sql.ErrNoRows,
	}
	for name, err := range internal {
		t.Run("Internal_"+name, func(t *testing.T) {
			if env := ToEnvelope(err, "rid", nil); env.Status != http.StatusInternalServerError {
				t.Errorf("%v → %d, want 500", err, env.Status)
			}
		})
	}
}

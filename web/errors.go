package web

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/apperr"
)

// Envelope is the one error body of the JSON API (documented in docs/api.md).
type Envelope struct {
	Code    string         `json:"code"`
	Status  int            `json:"status"`
	Message string         `json:"message"`
	TraceID string         `json:"traceId"`
	Details map[string]any `json:"details,omitempty"`
	// RetryAfter goes out as the Retry-After header (429, 503), not in the body.
	RetryAfter time.Duration `json:"-"`
}

// statusOf maps an error kind to its HTTP status: the one mapping point.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.KindInvalid:
		return http.StatusBadRequest
	case apperr.KindUnauthorized:
		return http.StatusUnauthorized
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindNotFound:
		return http.StatusNotFound
	case apperr.KindConflict:
		return http.StatusConflict
	case apperr.KindStale:
		return http.StatusPreconditionFailed
	case apperr.KindUnsupported:
		return http.StatusUnsupportedMediaType
	case apperr.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.KindTooMany:
		return http.StatusTooManyRequests
	case apperr.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// codeOfStatus names echo's own errors (unknown route, wrong method…).
func codeOfStatus(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusTooManyRequests:
		return "too_many_requests"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusRequestTimeout:
		return "request_timeout"
	}
	return "internal_error"
}

// ToEnvelope turns any error into the envelope and its status; unknown
// errors become a bare "Internal error" and are logged with the request id.
func ToEnvelope(err error, requestID string, log *slog.Logger) Envelope {
	env := Envelope{TraceID: requestID}
	var he *echo.HTTPError
	if e, ok := apperr.As(err); ok && e.Kind != apperr.KindInternal {
		env.Status, env.Code, env.Message = statusOf(e.Kind), e.Code, e.Message
		env.RetryAfter = e.RetryAfter
		if env.Code == "" {
			env.Code = codeOfStatus(env.Status)
		}
		if len(e.Fields) > 0 || len(e.Extra) > 0 {
			env.Details = map[string]any{}
			if len(e.Fields) > 0 {
				env.Details["errors"] = e.Fields
			}
			for k, v := range e.Extra {
				env.Details[k] = v
			}
		}
		return env
	}
	if errors.As(err, &he) && he.Code < 500 {
		env.Status, env.Code = he.Code, codeOfStatus(he.Code)
		env.Message = http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && m != "" {
			env.Message = m
		}
		return env
	}
	if DatabaseUnavailable(err) {
		if log != nil {
			log.Warn("database unavailable", "request_id", requestID, "err", err)
		}
		env.Status, env.Code, env.RetryAfter = http.StatusServiceUnavailable, "database_unavailable", databaseRetryAfter
		env.Message = "The database cannot be reached right now. Please try again in a few seconds."
		return env
	}
	if log != nil {
		log.Error("internal error", "request_id", requestID, "err", err)
	}
	env.Status, env.Code, env.Message = http.StatusInternalServerError, "internal_error", "Internal error"
	return env
}

// databaseRetryAfter is the wait suggested while the database is away: a
// restart or a fail-over takes seconds.
const databaseRetryAfter = 5 * time.Second

// DatabaseUnavailable tells a database that cannot be reached (refused,
// reset, shutting down, starting up, a connection lost mid-query, no free
// connection in time) from an error in the request or in our code: the
// first is a 503 worth retrying, the second a 500.
func DatabaseUnavailable(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		code := string(pe.Code)
		// Class 08: connection exception; 57P01-03: admin/crash shutdown,
		// cannot connect now; 53300: too many connections.
		return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03" || code == "53300"
	}
	var ne net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded): // waiting for a pooled connection or a query past its deadline
		return true
	case errors.As(err, &ne): // dial or read failures on the connection (*net.OpError)
		return true
	}
	// database/sql does not export the error of a closed pool.
	return strings.Contains(err.Error(), "sql: database is closed")
}

// IsAPIPath tells whether a request belongs to the JSON API.
func IsAPIPath(path string) bool { return strings.HasPrefix(path, "/platform/") }

// retryAfterSeconds renders a wait as Retry-After's whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// Package apperr holds the few kinds of error Verity distinguishes, so that
// every layer can say what went wrong and one place (the web error handler)
// can turn a kind into an HTTP status, a JSON envelope or an inline message.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Kind is the class of an error; the web layer maps each kind to one status.
type Kind int

// The kinds, in the order the HTTP mapping lists them.
const (
	KindInternal     Kind = iota // anything unexpected: 500, never shown in detail
	KindInvalid                  // malformed or invalid input: 400
	KindUnauthorized             // no or bad credentials: 401
	KindForbidden                // role not allowed: 403
	KindNotFound                 // unknown reference: 404
	KindConflict                 // state conflict: 409
	KindStale                    // If-Match / form version no longer current: 412
	KindUnsupported              // wrong content type: 415
	KindTooLarge                 // body over the limit: 413
	KindTooMany                  // too many attempts, come back later: 429 with Retry-After
	KindUnavailable              // a dependency is down or a resource is saturated: 503 with Retry-After
)

// Error is the one error type of the domain. Code is a stable machine word
// (documented in docs/api.md); Message is a sentence a person can read;
// Fields maps field paths such as "company.address.countryCode" to messages.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  map[string][]string
	// Extra carries structured facts for the API's details (e.g. who made the
	// newer change); the web error handler copies it into the envelope as is.
	Extra map[string]any
	// Detail is the typed error behind this one (customer.StaleError,
	// customer.ApprovalError): code reads its facts with errors.As, never
	// from Extra. It is not a cause: Error() leaves it out.
	Detail error
	// RetryAfter, for KindTooMany and KindUnavailable, is how long the caller
	// should wait before trying again (sent as Retry-After, whole seconds).
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k+": "+strings.Join(e.Fields[k], "; "))
		}
		sort.Strings(keys)
		return e.Message + " (" + strings.Join(keys, ", ") + ")"
	}
	return e.Message
}

// Unwrap lets errors.Is/As see a wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// As lets errors.As find the typed Detail behind the kind, so a caller
// holding either the error or its *Error gets the same facts.
func (e *Error) As(target any) bool {
	return e != nil && e.Detail != nil && errors.As(e.Detail, target)
}

// Is makes errors.Is(err, apperr.ErrNotFound) match any error of that kind and code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t.Kind != e.Kind {
		return false
	}
	return t.Code == "" || t.Code == e.Code
}

// Sentinels for errors.Is; they match every error of their kind.
var (
	ErrInvalid      = &Error{Kind: KindInvalid}
	ErrUnauthorized = &Error{Kind: KindUnauthorized}
	ErrForbidden    = &Error{Kind: KindForbidden}
	ErrNotFound     = &Error{Kind: KindNotFound}
	ErrConflict     = &Error{Kind: KindConflict}
	ErrStale        = &Error{Kind: KindStale}
)

// New makes an error of a kind with a stable code and a readable message.
func New(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound says the thing named does not exist (or is not visible).
func NotFound(what string) *Error {
	return New(KindNotFound, "not_found", "%s not found", what)
}

// Forbidden says the caller's role may not do this.
func Forbidden(format string, args ...any) *Error {
	return New(KindForbidden, "forbidden", format, args...)
}

// Conflict says the request clashes with the current state.
func Conflict(code, format string, args ...any) *Error {
	return New(KindConflict, code, format, args...)
}

// Unavailable says the request could not be served now and may succeed
// after retryAfter: the database is unreachable, or a bounded resource
// (password hashing) is saturated.
func Unavailable(code string, retryAfter time.Duration, format string, args ...any) *Error {
	e := New(KindUnavailable, code, format, args...)
	e.RetryAfter = retryAfter
	return e
}

// TooMany says the caller must slow down and may try again after retryAfter.
func TooMany(code string, retryAfter time.Duration, format string, args ...any) *Error {
	e := New(KindTooMany, code, format, args...)
	e.RetryAfter = retryAfter
	return e
}

// Invalid builds a validation error from field errors; nil when there are none.
func Invalid(fields FieldErrors) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Code: "validation_failed", Message: "The request has invalid fields.", Fields: fields}
}

// BadRequest is a malformed request that is not about one field's value.
func BadRequest(code, format string, args ...any) *Error {
	return New(KindInvalid, code, format, args...)
}

// FieldErrors collects messages by field path while validating.
type FieldErrors map[string][]string

// Add records a message for a path.
func (f FieldErrors) Add(path, msg string) { f[path] = append(f[path], msg) }

// Has tells whether any message was recorded for path.
func (f FieldErrors) Has(path string) bool { return len(f[path]) > 0 }

// KindOf returns the kind of err, KindInternal for foreign errors.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

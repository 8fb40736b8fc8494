package audit

import (
	"strconv"
	"strings"
	"time"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/validate"
)

// ParseFilter reads a filter from named text values (a query string's
// actor, kind, customer, from, to and before), for the page and the API
// alike. from and to are days (YYYY-MM-DD, UTC; "to" takes the whole day)
// or instants (RFC 3339; "to" excluded). Values it cannot read are named in
// the field errors.
func ParseFilter(get func(name string) string) (Filter, apperr.FieldErrors) {
	errs := apperr.FieldErrors{}
	val := func(name string) string { return strings.TrimSpace(get(name)) }
	f := Filter{Actor: val("actor"), Kind: val("kind"), Customer: val("customer")}
	at := func(name string, day time.Duration) time.Time {
		s := val(name)
		if s == "" {
			return time.Time{}
		}
		if t, err := time.Parse(validate.DateLayout, s); err == nil {
			return t.Add(day)
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			errs.Add(name, "must be a date as YYYY-MM-DD or an instant as RFC 3339")
		}
		return t
	}
	f.From = at("from", 0)
	f.Until = at("to", 24*time.Hour) // a day "to" takes the whole day
	if !f.From.IsZero() && !f.Until.IsZero() && !f.Until.After(f.From) {
		errs.Add("to", "must not be before From")
	}
	if s := val("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			errs.Add("before", "must be an entry id (a whole number above 0)")
		}
		f.Before = n
	}
	return f, errs
}

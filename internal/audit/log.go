package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
)

// Kinds are the families of actions the audit log filters by: the part of
// an action before its dot.
var Kinds = []string{"customer", "document", "staff", "apikey", "auth", "webhook"}

// Filter narrows the audit log. Empty fields do not filter.
type Filter struct {
	Actor    string    // text in the actor's name, or in a staff member's e-mail
	Kind     string    // one of Kinds
	Customer string    // a customer's reference, or text in its name
	From     time.Time // entries at or after
	Until    time.Time // entries before
	Before   int64     // keyset cursor: entries with a smaller id (0: the newest)
}

// LogEntry is an entry as the log lists it, with the customer it concerns.
type LogEntry struct {
	Entry
	CustomerRef  *uuid.UUID `db:"customer_ref"`
	CustomerName *string    `db:"customer_name"`
}

// Log reads the whole trail for administrators: every customer change, staff
// account, API key, sign-in, failed sign-in and session end.
type Log struct{ db *sqlx.DB }

// NewLog wires the log to its database.
func NewLog(db *sqlx.DB) *Log { return &Log{db: db} }

// MaxPage is the most entries one page of the log holds.
const MaxPage = 200

// List returns one page of the log, newest first, at most limit entries,
// found by keyset (id < f.Before), never by offset.
func (l *Log) List(ctx context.Context, a access.Actor, f Filter, limit int) ([]LogEntry, error) {
	if limit <= 0 || limit > MaxPage+1 {
		limit = MaxPage
	}
	q, args, err := l.query(ctx, a, f, limit)
	if err != nil {
		return nil, err
	}
	var out []LogEntry
	if err := sqlx.SelectContext(ctx, l.db, &out, q, args...); err != nil {
		return nil, err
	}
	for i := range out {
		if err := json.Unmarshal(out[i].ChangesRaw, &out[i].Changes); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Each calls fn with every entry the filter finds (f.Before applies),
// newest first, as the rows are read: an export never holds them all.
func (l *Log) Each(ctx context.Context, a access.Actor, f Filter, fn func(*LogEntry) error) error {
	q, args, err := l.query(ctx, a, f, 0)
	if err != nil {
		return err
	}
	rows, err := l.db.QueryxContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e LogEntry
		if err := rows.StructScan(&e); err != nil {
			return err
		}
		if err := json.Unmarshal(e.ChangesRaw, &e.Changes); err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}

var logSelectSQL = `
SELECT a.id, a.occurred_at, a.actor_type, a.actor_id, a.actor_name, a.action, a.customer_id, a.subject,
       ` + ChangesSQL("a") + `, a.reason, a.request_id, c.reference AS customer_ref, c.name AS customer_name
FROM audit_entries a LEFT JOIN customers c ON c.id = a.customer_id
WHERE true`

// The filters, each a fixed fragment with its own parameter ($%d is the
// parameter's number); the indexes of migration 00007 serve kind and actor.
const (
	logKindSQL         = ` AND split_part(a.action, '.', 1) = $%d`
	logActorSQL        = ` AND lower(a.actor_name) LIKE $%d`
	logActorStaffSQL   = ` AND (lower(a.actor_name) LIKE $%d OR (a.actor_type = 'user' AND a.actor_id = ANY($%d)))`
	logCustomerRefSQL  = ` AND a.customer_id = (SELECT id FROM customers WHERE reference = $%d)`
	logCustomerNameSQL = ` AND a.customer_id IN (SELECT id FROM customers WHERE search_text LIKE $%[1]d AND lower(name) LIKE $%[1]d)`
	logFromSQL         = ` AND a.occurred_at >= $%d`
	logUntilSQL        = ` AND a.occurred_at < $%d`
	logBeforeSQL       = ` AND a.id < $%d`
	logOrderSQL        = ` ORDER BY a.id DESC`
	logLimitSQL        = ` LIMIT $%d`
	// A page filtered by an actor text that matches staff e-mails takes the
	// newest entries by name and the newest of each of those staff apart,
	// each with its own index, then merges them: one OR (or one ANY) would
	// make the planner walk the whole trail for someone who rarely acts.
	logStaffUnionSQL = ` AND a.id IN ((SELECT a.id FROM audit_entries a WHERE lower(a.actor_name) LIKE $%[1]d%[3]s ORDER BY a.id DESC LIMIT $%[4]d)
 UNION ALL (SELECT x.id FROM unnest($%[2]d::bigint[]) s (staff_id) CROSS JOIN LATERAL
   (SELECT a.id FROM audit_entries a WHERE a.actor_type = 'user' AND a.actor_id = s.staff_id%[3]s ORDER BY a.id DESC LIMIT $%[4]d) x))`
)

// Allowed refuses anyone but administrators: the log shows every staff
// member's and key's actions, sign-ins included.
func (l *Log) Allowed(a access.Actor) error {
	if !a.Role.Can(access.PermAdministrate) {
		return apperr.Forbidden("your role (%s) may not read the audit log", a.Role)
	}
	return nil
}

// query builds the log's SQL from the fixed fragments of the filters set,
// at most limit rows (0: all); values are always parameters. Only
// administrators read the log.
func (l *Log) query(ctx context.Context, a access.Actor, f Filter, limit int) (string, []any, error) {
	if err := l.Allowed(a); err != nil {
		return "", nil, err
	}
	var where strings.Builder
	var args []any
	add := func(fragment string, v any) {
		args = append(args, v)
		fmt.Fprintf(&where, fragment, len(args))
	}
	if k := strings.TrimSpace(f.Kind); k != "" {
		known := false
		for _, x := range Kinds {
			known = known || x == k
		}
		if !known {
			return "", nil, apperr.Invalid(apperr.FieldErrors{"kind": {"must be one of " + strings.Join(Kinds, ", ")}})
		}
		add(logKindSQL, k)
	}
	if s := strings.TrimSpace(f.Customer); s != "" {
		if ref, err := uuid.Parse(s); err == nil {
			add(logCustomerRefSQL, ref)
		} else {
			add(logCustomerNameSQL, likePattern(strings.ToLower(s)))
		}
	}
	if !f.From.IsZero() {
		add(logFromSQL, f.From)
	}
	if !f.Until.IsZero() {
		add(logUntilSQL, f.Until)
	}
	if f.Before > 0 {
		add(logBeforeSQL, f.Before)
	}
	filters := where.String()
	if s := strings.ToLower(strings.TrimSpace(f.Actor)); s != "" {
		// Staff whose e-mail matches are looked up first: a name alone
		// can then use the trigram index.
		var staff []int64
		if err := sqlx.SelectContext(ctx, l.db, &staff, staffByEmailSQL, likePattern(s)); err != nil {
			return "", nil, err
		}
		switch {
		case len(staff) == 0:
			add(logActorSQL, likePattern(s))
		case limit == 0:
			args = append(args, likePattern(s), pq.Array(staff))
			fmt.Fprintf(&where, logActorStaffSQL, len(args)-1, len(args))
		default:
			args = append(args, likePattern(s), pq.Array(staff), limit)
			fmt.Fprintf(&where, logStaffUnionSQL, len(args)-2, len(args)-1, filters, len(args))
		}
	}
	q := logSelectSQL + where.String() + logOrderSQL
	if limit > 0 {
		args = append(args, limit)
		q += fmt.Sprintf(logLimitSQL, len(args))
	}
	return q, args, nil
}

const staffByEmailSQL = `SELECT id FROM staff_users WHERE lower(email) LIKE $1 LIMIT 100`

// likePattern finds s anywhere, its own % _ and \ taken literally.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// Package audit writes and reads the append-only trail of every change: who,
// when, what (field paths with old and new values), why, and the request id.
// Entries are written in the caller's transaction, so a change and its entry
// land together or not at all; the schema refuses updates and deletes.
package audit

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
)

// Change is one field path with its value before and after.
type Change struct {
	Path string `json:"path"`
	Old  any    `json:"old"`
	New  any    `json:"new"`
}

// Entry is one audited action.
type Entry struct {
	ID         int64            `json:"id" db:"id"`
	OccurredAt time.Time        `json:"occurredAt" db:"occurred_at"`
	ActorType  access.ActorKind `json:"actorType" db:"actor_type"`
	ActorID    *int64           `json:"actorId" db:"actor_id"`
	ActorName  string           `json:"actorName" db:"actor_name"`
	Action     string           `json:"action" db:"action"`
	CustomerID *int64           `json:"-" db:"customer_id"`
	Subject    *string          `json:"subject,omitempty" db:"subject"`
	Changes    []Change         `json:"changes" db:"-"`
	ChangesRaw []byte           `json:"-" db:"changes"`
	Reason     *string          `json:"reason" db:"reason"`
	RequestID  *string          `json:"requestId" db:"request_id"`
}

// Actions written to the trail; stable words that the history shows.
const (
	ActionCustomerCreate     = "customer.create"
	ActionCustomerImport     = "customer.import"
	ActionCustomerUpdate     = "customer.update"
	ActionCustomerAssociates = "customer.associates"
	ActionCustomerStatus     = "customer.status"
	ActionCustomerNote       = "customer.note"
	ActionUserCreate         = "staff.create"
	ActionUserUpdate         = "staff.update"
	ActionUserPassword       = "staff.password"
	ActionAPIKeyCreate       = "apikey.create"
	ActionAPIKeyRevoke       = "apikey.revoke"
	ActionLogin              = "auth.login"
	ActionLoginFailed        = "auth.login_failed"
	ActionLogout             = "auth.logout"
	ActionSessionsEnd        = "auth.sessions_end"
)

// Record is what a caller hands to Write.
type Record struct {
	Actor      access.Actor
	Action     string
	CustomerID *int64
	Subject    string
	Changes    []Change
	// ChangesJSON, when set, is Changes already written as AppendChanges
	// writes them (a bulk load's creation entries); Changes is then unused.
	ChangesJSON []byte
	Reason      string
}

var insertSQL = InsertSQL(1)

// InsertSQL is the entry's INSERT with its parameters numbered from first on
// (Args' order), for a statement that writes a change and its entry together.
func InsertSQL(first int) string {
	return `INSERT INTO audit_entries (` + strings.Join(Columns, ", ") + `)
VALUES (` + params(first) + `)`
}

// InsertFromSQL is InsertSQL as INSERT … SELECT … FROM from: the entry is
// written once per row of from (a change's statement writes it only when its
// UPDATE took the row).
func InsertFromSQL(first int, from string) string {
	return `INSERT INTO audit_entries (` + strings.Join(Columns, ", ") + `)
SELECT ` + params(first) + ` FROM ` + from
}

// params is the entry's parameters, numbered from first on.
func params(first int) string {
	p := make([]string, len(Columns))
	for i := range p {
		p[i] = "$" + strconv.Itoa(first+i)
	}
	return strings.Join(p, ", ")
}

// Write appends one entry using the caller's transaction (or pool).
func Write(ctx context.Context, db sqlx.ExecerContext, r Record) error {
	args, err := r.Args()
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, insertSQL, args...)
	return err
}

// WriteID is Write answering the new entry's id, for records that point at it
// (a status change's note).
func WriteID(ctx context.Context, db sqlx.QueryerContext, r Record) (int64, error) {
	args, err := r.Args()
	if err != nil {
		return 0, err
	}
	var id int64
	err = sqlx.GetContext(ctx, db, &id, insertSQL+" RETURNING id", args...)
	return id, err
}

// Args are InsertSQL's parameters for r.
func (r Record) Args() ([]any, error) {
	raw := r.ChangesJSON
	if raw == nil {
		raw = AppendChanges(make([]byte, 0, 64+96*len(r.Changes)), r.Changes)
	}
	var actorID *int64
	if r.Actor.Kind == access.ActorUser || r.Actor.Kind == access.ActorAPIKey {
		id := r.Actor.ID
		actorID = &id
	}
	name := r.Actor.Name
	if name == "" {
		name = string(r.Actor.Kind)
	}
	return []any{string(r.Actor.Kind), actorID, name, r.Action, r.CustomerID,
		nullString(r.Subject), string(raw), nullString(r.Reason), nullString(r.Actor.RequestID)}, nil
}

var listByCustomerSQL = `
SELECT id, occurred_at, actor_type, actor_id, actor_name, action, customer_id, subject, ` + ChangesSQL("audit_entries") + `, reason, request_id
FROM audit_entries WHERE customer_id = $1 AND ($2::bigint = 0 OR id < $2)
ORDER BY id DESC LIMIT $3`

// ListByCustomer returns a customer's entries newest first, before the entry
// id `before` (0 for the newest), at most limit of them.
func ListByCustomer(ctx context.Context, db sqlx.QueryerContext, customerID, before int64, limit int) ([]Entry, error) {
	var out []Entry
	if err := sqlx.SelectContext(ctx, db, &out, listByCustomerSQL, customerID, before, limit); err != nil {
		return nil, err
	}
	for i := range out {
		if err := json.Unmarshal(out[i].ChangesRaw, &out[i].Changes); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var latestByCustomerSQL = `
SELECT id, occurred_at, actor_type, actor_id, actor_name, action, customer_id, subject, ` + ChangesSQL("audit_entries") + `, reason, request_id
FROM audit_entries WHERE customer_id = $1 ORDER BY id DESC LIMIT 1`

// Latest returns the newest entry of a customer, for "changed by … at …" notices.
func Latest(ctx context.Context, db sqlx.QueryerContext, customerID int64) (*Entry, error) {
	var e Entry
	if err := sqlx.GetContext(ctx, db, &e, latestByCustomerSQL, customerID); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(e.ChangesRaw, &e.Changes); err != nil {
		return nil, err
	}
	return &e, nil
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

package auth

import (
	"context"
	"encoding/json"

	"github.com/jmoiron/sqlx"
)

// Package audit imports this package (for Actor), so auth cannot call
// audit.Write without an import cycle. writeAudit is the same insert, kept
// column for column in step with audit.Write, and the action words below are
// audit's constants; audit_link_test.go (package auth_test, which may import
// both) fails if either drifts.
const (
	actionUserCreate   = "staff.create"
	actionUserUpdate   = "staff.update"
	actionUserPassword = "staff.password"
	actionAPIKeyCreate = "apikey.create"
	actionAPIKeyRevoke = "apikey.revoke"
	actionLogin        = "auth.login"
	actionLoginFailed  = "auth.login_failed"
	actionLogout       = "auth.logout"
	actionSessionsEnd  = "auth.sessions_end"
)

// auditChange has audit.Change's JSON shape: one field with old and new value.
type auditChange struct {
	Path string `json:"path"`
	Old  any    `json:"old"`
	New  any    `json:"new"`
}

// auditEntry is what one staff, API-key or sign-in action writes.
type auditEntry struct {
	actor   Actor
	action  string
	subject string
	changes []auditChange
	reason  string
}

const insertAuditSQL = `
INSERT INTO audit_entries (actor_type, actor_id, actor_name, action, customer_id, subject, changes, reason, request_id)
VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8)`

// writeAudit appends one entry in the caller's transaction (or on the pool
// for entries that stand alone, such as a failed sign-in).
func writeAudit(ctx context.Context, db sqlx.ExecerContext, e auditEntry) error {
	changes := e.changes
	if changes == nil {
		changes = []auditChange{}
	}
	raw, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	var actorID *int64
	if e.actor.Kind == ActorUser || e.actor.Kind == ActorAPIKey {
		id := e.actor.ID
		actorID = &id
	}
	name := e.actor.Name
	if name == "" {
		name = string(e.actor.Kind)
	}
	// changes go as a string: with binary_parameters a []byte would be sent as bytea.
	_, err = db.ExecContext(ctx, insertAuditSQL, string(e.actor.Kind), actorID, name, e.action,
		nullIfEmpty(e.subject), string(raw), nullIfEmpty(e.reason), nullIfEmpty(e.actor.RequestID))
	return err
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Package auth_test checks the audit trail that staff, API-key and sign-in
// actions write, read back through package audit as the history pages do.
package auth_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/pgtest"
)

type row struct {
	ActorType string  `db:"actor_type"`
	ActorID   *int64  `db:"actor_id"`
	ActorName string  `db:"actor_name"`
	Action    string  `db:"action"`
	Subject   *string `db:"subject"`
	Changes   string  `db:"changes"`
	Reason    *string `db:"reason"`
	RequestID *string `db:"request_id"`
}

func entries(t *testing.T, db *sqlx.DB) []row {
	t.Helper()
	var out []row
	if err := db.Select(&out, `SELECT actor_type, actor_id, actor_name, action, subject, changes_json::jsonb::text AS changes, reason, request_id
		FROM audit_entries ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestAuditTrail(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	svc := auth.NewService(db, auth.Options{})
	const pw = "correct horse battery"

	admin, err := svc.CreateUser(ctx, access.System("cli-1"), auth.NewUser{Email: "ada@verity.test", Name: "Ada Admin", Role: access.RoleAdmin, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "ada@verity.test", pw, "192.0.2.1", "req-login"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "mallory@verity.test", "guess guess guess", "192.0.2.66", "req-fail"); err == nil {
		t.Fatal("unknown e-mail signed in")
	}
	a := admin.Actor("req-admin")
	o, err := svc.CreateUser(ctx, a, auth.NewUser{Email: "olivia@verity.test", Name: "Olivia Officer", Role: access.RoleOfficer, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetRole(ctx, a, o.ID, access.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if err := svc.ChangePassword(ctx, a, auth.PasswordChange{Current: pw, Next: pw + " 2"}); err != nil {
		t.Fatal(err)
	}
	k, _, err := svc.CreateAPIKey(ctx, a, "ci-sync", access.RoleOfficer)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RevokeAPIKey(ctx, a, k.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Logout(ctx, a, ""); err != nil {
		t.Fatal(err)
	}

	got := entries(t, db)
	want := []struct {
		action, actorType, actorName, subject, requestID string
	}{
		{audit.ActionUserCreate, "system", "system", "ada@verity.test", "cli-1"},
		{audit.ActionLogin, "user", "Ada Admin", "192.0.2.1", "req-login"},
		{audit.ActionLoginFailed, "anonymous", "mallory@verity.test", "192.0.2.66", "req-fail"},
		{audit.ActionUserCreate, "user", "Ada Admin", "olivia@verity.test", "req-admin"},
		{audit.ActionUserUpdate, "user", "Ada Admin", "olivia@verity.test", "req-admin"},
		{audit.ActionUserPassword, "user", "Ada Admin", "ada@verity.test", "req-admin"},
		{audit.ActionAPIKeyCreate, "user", "Ada Admin", "ci-sync (" + k.Prefix + "…)", "req-admin"},
		{audit.ActionAPIKeyRevoke, "user", "Ada Admin", "ci-sync (" + k.Prefix + "…)", "req-admin"},
		{audit.ActionLogout, "user", "Ada Admin", "<nil>", "req-admin"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Action != w.action || g.ActorType != w.actorType || g.ActorName != w.actorName ||
			str(g.Subject) != w.subject || str(g.RequestID) != w.requestID {
			t.Errorf("entry %d = {%s %s %s %s %s}, want %+v", i, g.Action, g.ActorType, g.ActorName, str(g.Subject), str(g.RequestID), w)
		}
		if w.actorType == "user" && (g.ActorID == nil || *g.ActorID != admin.ID) {
			t.Errorf("entry %d: actor_id = %v, want %d", i, g.ActorID, admin.ID)
		}
	}
	if str(got[2].Reason) != "unknown e-mail" || got[2].ActorID != nil {
		t.Errorf("failed sign-in entry: reason %s, actor_id %v", str(got[2].Reason), got[2].ActorID)
	}
	if got[3].Changes != `[{"new": "olivia@verity.test", "old": null, "path": "email"}, {"new": "Olivia Officer", "old": null, "path": "name"}, {"new": "officer", "old": null, "path": "role"}, {"new": true, "old": null, "path": "active"}]` {
		t.Errorf("create changes = %s", got[3].Changes)
	}
	for _, g := range got {
		if g.Action == audit.ActionUserPassword && g.Changes != "[]" {
			t.Errorf("the password entry records values: %s", g.Changes)
		}
	}
}

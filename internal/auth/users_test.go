package auth

import (
	"errors"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
)

func TestCreateUser(t *testing.T) {
	e := newEnv(t)
	admin := e.actor("ada@verity.test", access.RoleAdmin)
	e.user("taken@verity.test", access.RoleOfficer)

	valid := NewUser{Email: "olivia@verity.test", Name: "Olivia Officer", Role: access.RoleOfficer, Password: testPassword}
	with := func(f func(*NewUser)) NewUser { u := valid; f(&u); return u }
	tests := []struct {
		name  string
		in    NewUser
		field string // "" for success
		msg   string
	}{
		{"OK", valid, "", ""},
		{"ErrDuplicateEmail", with(func(u *NewUser) { u.Email = "Taken@Verity.TEST" }), "email", msgEmailTaken},
		{"ErrInvalidEmail", with(func(u *NewUser) { u.Email = "not-an-address" }), "email", "must be a valid e-mail address"},
		{"ErrBlankName", with(func(u *NewUser) { u.Email, u.Name = "n@verity.test", "   " }), "name", "is required"},
		{"ErrInvalidRole", with(func(u *NewUser) { u.Email, u.Role = "r@verity.test", "root" }), "role", msgRole},
		{"ErrShortPassword", with(func(u *NewUser) { u.Email, u.Password = "p@verity.test", "short" }), "password", "must be at least 12 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := e.svc.CreateUser(e.ctx, admin, tt.in)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if u.ID == 0 || u.Email != tt.in.Email || u.Role != tt.in.Role || !u.Active || u.SessionVersion != 1 {
					t.Fatalf("created user = %+v", u)
				}
				got, err := e.svc.GetUser(e.ctx, u.ID)
				if err != nil || got.Email != u.Email {
					t.Fatalf("GetUser = %+v, %v", got, err)
				}
				return
			}
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			ae, _ := apperr.As(err)
			if len(ae.Fields) != 1 || len(ae.Fields[tt.field]) != 1 || ae.Fields[tt.field][0] != tt.msg {
				t.Fatalf("fields = %v, want only %s: %q", ae.Fields, tt.field, tt.msg)
			}
		})
	}
	if n := e.count(`SELECT count(*) FROM staff_users`); n != 3 {
		t.Fatalf("%d accounts stored, want 3 (refused ones must not be)", n)
	}
}

func TestUserAdminPermissions(t *testing.T) {
	e := newEnv(t)
	target := e.user("target@verity.test", access.RoleViewer)
	for _, role := range []access.Role{access.RoleOfficer, access.RoleViewer} {
		a := e.actor(string(role)+"@verity.test", role)
		ops := map[string]func() error{
			"CreateUser": func() error {
				_, err := e.svc.CreateUser(e.ctx, a, NewUser{Email: "x@verity.test", Name: "X", Role: access.RoleAdmin, Password: testPassword})
				return err
			},
			"ListUsers":    func() error { _, err := e.svc.ListUsers(e.ctx, a); return err },
			"SetRole":      func() error { _, err := e.svc.SetRole(e.ctx, a, target.ID, access.RoleAdmin); return err },
			"SetActive":    func() error { _, err := e.svc.SetActive(e.ctx, a, target.ID, false); return err },
			"CreateAPIKey": func() error { _, _, err := e.svc.CreateAPIKey(e.ctx, a, "k", access.RoleAdmin); return err },
			"ListAPIKeys":  func() error { _, err := e.svc.ListAPIKeys(e.ctx, a); return err },
			"RevokeAPIKey": func() error { return e.svc.RevokeAPIKey(e.ctx, a, 1) },
		}
		for name, op := range ops {
			t.Run(string(role)+"/"+name+"/ErrForbidden", func(t *testing.T) {
				if err := op(); !errors.Is(err, apperr.ErrForbidden) {
					t.Fatalf("err = %v, want ErrForbidden", err)
				}
			})
		}
	}
	got, _ := e.svc.GetUser(e.ctx, target.ID)
	if got.Role != access.RoleViewer || !got.Active {
		t.Fatalf("a refused change was applied: %+v", got)
	}
}

func TestListUsers(t *testing.T) {
	e := newEnv(t)
	admin := e.actor("ada@verity.test", access.RoleAdmin)
	gone := e.user("gone@verity.test", access.RoleOfficer)
	e.user("bob@verity.test", access.RoleViewer)
	if _, err := e.svc.SetActive(e.ctx, admin, gone.ID, false); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.ListUsers(e.ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[2].Email != "gone@verity.test" || list[2].Active {
		t.Fatalf("list = %+v, want 3 accounts, the deactivated one last", list)
	}
}

func TestSetActive(t *testing.T) {
	e := newEnv(t)
	admin := e.actor("ada@verity.test", access.RoleAdmin)
	u := e.user("olivia@verity.test", access.RoleOfficer)

	t.Run("OK/EndsSessions", func(t *testing.T) {
		tok := e.signIn(u.Email, "10.0.0.9")
		if _, err := e.svc.SessionUser(e.ctx, tok); err != nil {
			t.Fatalf("session before deactivation: %v", err)
		}
		got, err := e.svc.SetActive(e.ctx, admin, u.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.Active || got.SessionVersion != u.SessionVersion+1 {
			t.Fatalf("after deactivation: %+v", got)
		}
		if _, err := e.svc.SessionUser(e.ctx, tok); !errors.Is(err, ErrSessionEnded) || !errors.Is(err, apperr.ErrUnauthorized) {
			t.Fatalf("SessionUser after deactivation: err = %v, want ErrSessionEnded", err)
		}
		if why := e.endedWhy(tok); why != EndDeactivated {
			t.Fatalf("session ended for %q, want %q", why, EndDeactivated)
		}
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = $1 AND subject = $2 AND reason = $3`, audit.ActionSessionsEnd, u.Email, EndDeactivated); n != 1 {
			t.Fatalf("%d audit entries for the ended sessions, want 1", n)
		}
		if _, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "10.0.0.1", "r"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("deactivated user signs in: err = %v, want ErrBadCredentials", err)
		}
	})
	t.Run("OK/Reactivate", func(t *testing.T) {
		got, err := e.svc.SetActive(e.ctx, admin, u.ID, true)
		if err != nil || !got.Active {
			t.Fatalf("reactivate = %+v, %v", got, err)
		}
		if _, err := e.svc.SessionUser(e.ctx, e.signIn(u.Email, "10.0.0.9")); err != nil {
			t.Fatalf("new session after reactivation: %v", err)
		}
	})
	t.Run("OK/NoChangeNoAudit", func(t *testing.T) {
		before := e.count(`SELECT count(*) FROM audit_entries WHERE action = $1`, audit.ActionUserUpdate)
		cur, _ := e.svc.GetUser(e.ctx, u.ID)
		got, err := e.svc.SetActive(e.ctx, admin, u.ID, true)
		if err != nil || got.SessionVersion != cur.SessionVersion {
			t.Fatalf("no-op SetActive = %+v, %v; sessions must survive", got, err)
		}
		if after := e.count(`SELECT count(*) FROM audit_entries WHERE action = $1`, audit.ActionUserUpdate); after != before {
			t.Fatalf("no-op wrote an audit entry")
		}
	})
	t.Run("ErrSelfChange", func(t *testing.T) {
		_, err := e.svc.SetActive(e.ctx, admin, admin.ID, false)
		if !errors.Is(err, apperr.ErrConflict) || !errors.Is(err, &apperr.Error{Kind: apperr.KindConflict, Code: "self_change"}) {
			t.Fatalf("err = %v, want Conflict self_change", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := e.svc.SetActive(e.ctx, admin, 999999, false); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestSetRole(t *testing.T) {
	e := newEnv(t)
	admin := e.actor("ada@verity.test", access.RoleAdmin)
	u := e.user("olivia@verity.test", access.RoleOfficer)

	t.Run("OK", func(t *testing.T) {
		tok := e.signIn(u.Email, "10.0.0.9")
		got, err := e.svc.SetRole(e.ctx, admin, u.ID, access.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		if got.Role != access.RoleViewer || got.SessionVersion != u.SessionVersion+1 {
			t.Fatalf("after SetRole: %+v", got)
		}
		if _, err := e.svc.SessionUser(e.ctx, tok); !errors.Is(err, ErrSessionEnded) || e.endedWhy(tok) != EndRoleChanged {
			t.Fatalf("old session survives a role change: %v", err)
		}
		var changes, subject string
		if err := e.db.QueryRowContext(e.ctx, `SELECT changes_json::jsonb::text, subject FROM audit_entries WHERE action = $1 AND actor_id = $2`,
			audit.ActionUserUpdate, admin.ID).Scan(&changes, &subject); err != nil {
			t.Fatal(err)
		}
		if changes != `[{"new": "viewer", "old": "officer", "path": "role"}]` || subject != u.Email {
			t.Fatalf("audit changes = %s, subject = %s", changes, subject)
		}
	})
	t.Run("ErrInvalidRole", func(t *testing.T) {
		if _, err := e.svc.SetRole(e.ctx, admin, u.ID, "root"); !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("err = %v, want ErrInvalid", err)
		}
	})
	t.Run("ErrSelfChange", func(t *testing.T) {
		if _, err := e.svc.SetRole(e.ctx, admin, admin.ID, access.RoleViewer); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("err = %v, want ErrConflict", err)
		}
	})
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	u := e.user("olivia@verity.test", access.RoleOfficer)
	a := u.Actor("req")
	const next = "a brand new passphrase"
	change := func(current, next, session string) error {
		return e.svc.ChangePassword(e.ctx, a, PasswordChange{Current: current, Next: next, Session: session, IP: "10.0.0.5"})
	}

	field := func(err error, name string) bool {
		ae, ok := apperr.As(err)
		return ok && ae.Kind == apperr.KindInvalid && len(ae.Fields[name]) > 0
	}
	t.Run("ErrWrongCurrent", func(t *testing.T) {
		if err := change("not my password", next, ""); !field(err, "currentPassword") {
			t.Fatalf("err = %v, want a currentPassword field error", err)
		}
	})
	t.Run("ErrShortNew", func(t *testing.T) {
		if err := change(testPassword, "short", ""); !field(err, "newPassword") {
			t.Fatalf("err = %v, want a newPassword field error", err)
		}
	})
	t.Run("ErrNotAUser", func(t *testing.T) {
		err := e.svc.ChangePassword(e.ctx, access.System("cli"), PasswordChange{Current: testPassword, Next: next})
		if !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("err = %v, want ErrForbidden", err)
		}
	})
	t.Run("OK/KeepsThisSessionEndsOthers", func(t *testing.T) {
		this, other := e.signIn(u.Email, "10.0.0.5"), e.signIn(u.Email, "10.0.0.6")
		if err := change(testPassword, next, this); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SessionUser(e.ctx, this); err != nil {
			t.Fatalf("the current session must stay: %v", err)
		}
		if _, err := e.svc.SessionUser(e.ctx, other); !errors.Is(err, ErrSessionEnded) || e.endedWhy(other) != EndPassword {
			t.Fatalf("other sessions must end: %v", err)
		}
		if _, err := e.svc.Authenticate(e.ctx, u.Email, next, "", "r"); err != nil {
			t.Fatalf("sign in with the new password: %v", err)
		}
		if _, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "", "r"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("old password still works: %v", err)
		}
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = $1 AND actor_id = $2`, audit.ActionUserPassword, u.ID); n != 1 {
			t.Fatalf("%d password audit entries, want 1", n)
		}
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = $1 AND actor_id = $2 AND reason = $3`, audit.ActionSessionsEnd, u.ID, EndPassword); n != 1 {
			t.Fatalf("%d audit entries for the ended sessions, want 1", n)
		}
	})
}

func TestChangePasswordThrottle(t *testing.T) {
	e := newEnv(t)
	a := e.actor("olivia@verity.test", access.RoleOfficer)
	change := func(current string) error {
		return e.svc.ChangePassword(e.ctx, a, PasswordChange{Current: current, Next: "a brand new passphrase", IP: "198.51.100.4"})
	}
	for i := range pairMaxFailures {
		if err := change("guess guess guess"); !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("guess %d: err = %v, want ErrInvalid", i+1, err)
		}
	}
	err := change(testPassword)
	if ae, ok := apperr.As(err); !ok || !errors.Is(err, ErrTooManyAttempts) || ae.RetryAfter <= 0 {
		t.Fatalf("err = %v, want ErrTooManyAttempts with a Retry-After", err)
	}
	if _, err := e.svc.Authenticate(e.ctx, "olivia@verity.test", testPassword, "198.51.100.4", "r"); !errors.Is(err, ErrTooManyAttempts) {
		t.Fatalf("sign-in from the guessing address: err = %v, want ErrTooManyAttempts (same counter)", err)
	}
}

package auth

import (
	"errors"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
)

func TestSessionUser(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := newEnv(t)
		u := e.user("olivia@verity.test", access.RoleOfficer)
		tok := e.signIn(u.Email, "10.0.0.1")
		got, err := e.svc.SessionUser(e.ctx, tok)
		if err != nil || got.ID != u.ID || got.Role != access.RoleOfficer {
			t.Fatalf("SessionUser = %+v, %v", got, err)
		}
		var ip, ua string
		if err := e.db.QueryRowContext(e.ctx, `SELECT ip, user_agent FROM staff_sessions WHERE user_id = $1`, u.ID).Scan(&ip, &ua); err != nil {
			t.Fatal(err)
		}
		if ip != "10.0.0.1" || ua != "test" {
			t.Fatalf("stored ip %q, user agent %q", ip, ua)
		}
		if n := e.count(`SELECT count(*) FROM staff_sessions WHERE id = $1`, []byte(tok)); n != 0 {
			t.Fatal("the token itself is stored")
		}
	})
	t.Run("ErrUnknownToken", func(t *testing.T) {
		e := newEnv(t)
		for _, tok := range []string{"", "made-up", e.signIn(e.user("o@verity.test", access.RoleOfficer).Email, "") + "x"} {
			if _, err := e.svc.SessionUser(e.ctx, tok); !errors.Is(err, ErrSessionEnded) {
				t.Fatalf("SessionUser(%q) = %v, want ErrSessionEnded", tok, err)
			}
		}
	})
	t.Run("ErrSessionIdle", func(t *testing.T) {
		e := newEnv(t)
		tok := e.signIn(e.user("olivia@verity.test", access.RoleOfficer).Email, "")
		e.clock.Advance(SessionIdle - time.Second)
		if _, err := e.svc.SessionUser(e.ctx, tok); err != nil {
			t.Fatalf("just inside the idle limit: %v", err)
		}
		e.clock.Advance(SessionIdle + time.Second)
		if _, err := e.svc.SessionUser(e.ctx, tok); !errors.Is(err, ErrSessionIdle) {
			t.Fatalf("err = %v, want ErrSessionIdle", err)
		}
		if e.endedWhy(tok) != EndIdle {
			t.Fatal("an idle session is not ended in the table")
		}
		e.clock.Advance(-SessionIdle) // even if the clock went back, it stays over
		if _, err := e.svc.SessionUser(e.ctx, tok); !errors.Is(err, ErrSessionEnded) {
			t.Fatalf("err = %v, want ErrSessionEnded", err)
		}
	})
	t.Run("ErrSessionTooOld", func(t *testing.T) {
		e := newEnv(t)
		tok := e.signIn(e.user("olivia@verity.test", access.RoleOfficer).Email, "")
		for elapsed := time.Duration(0); elapsed < SessionMaxAge; elapsed += 20 * time.Minute {
			if _, err := e.svc.SessionUser(e.ctx, tok); err != nil {
				t.Fatalf("active after %v: %v", elapsed, err)
			}
			e.clock.Advance(20 * time.Minute)
		}
		e.clock.Advance(time.Second)
		if _, err := e.svc.SessionUser(e.ctx, tok); !errors.Is(err, ErrSessionTooOld) || e.endedWhy(tok) != EndTooOld {
			t.Fatalf("err = %v, want ErrSessionTooOld", err)
		}
	})
	t.Run("OK/LastSeenWrittenOnceAMinute", func(t *testing.T) {
		e := newEnv(t)
		tok := e.signIn(e.user("olivia@verity.test", access.RoleOfficer).Email, "")
		start := e.clock.Now()
		seen := func() time.Time {
			var at time.Time
			if err := e.db.GetContext(e.ctx, &at, `SELECT last_seen_at FROM staff_sessions WHERE id = $1`, sessionID(tok)); err != nil {
				t.Fatal(err)
			}
			return at
		}
		e.clock.Advance(59 * time.Second)
		if _, err := e.svc.SessionUser(e.ctx, tok); err != nil {
			t.Fatal(err)
		}
		if !seen().Equal(start) {
			t.Fatal("last_seen_at written within the minute")
		}
		e.clock.Advance(time.Second)
		if _, err := e.svc.SessionUser(e.ctx, tok); err != nil {
			t.Fatal(err)
		}
		if !seen().Equal(e.clock.Now()) {
			t.Fatalf("last_seen_at %v after a minute, want %v", seen(), e.clock.Now())
		}
	})
	t.Run("ErrVersionBumpedElsewhere", func(t *testing.T) {
		// A binary of the previous release ends sessions by bumping the version only.
		e := newEnv(t)
		u := e.user("olivia@verity.test", access.RoleOfficer)
		tok := e.signIn(u.Email, "")
		if _, err := e.db.ExecContext(e.ctx, `UPDATE staff_users SET session_version = session_version + 1 WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SessionUser(e.ctx, tok); !errors.Is(err, ErrSessionEnded) {
			t.Fatalf("err = %v, want ErrSessionEnded", err)
		}
	})
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	u := e.user("olivia@verity.test", access.RoleOfficer)
	tok, other := e.signIn(u.Email, ""), e.signIn(u.Email, "")
	if err := e.svc.Logout(e.ctx, u.Actor("r"), tok); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SessionUser(e.ctx, tok); !errors.Is(err, ErrSessionEnded) || e.endedWhy(tok) != EndSignedOut {
		t.Fatalf("a signed-out session still works: %v", err)
	}
	if _, err := e.svc.SessionUser(e.ctx, other); err != nil {
		t.Fatalf("signing out one browser ended another: %v", err)
	}
}

func TestOwnSessions(t *testing.T) {
	e := newEnv(t)
	u := e.user("olivia@verity.test", access.RoleOfficer)
	a := u.Actor("r")
	this, b, c := e.signIn(u.Email, "10.0.0.1"), e.signIn(u.Email, "10.0.0.2"), e.signIn(u.Email, "10.0.0.3")
	stranger := e.signIn(e.user("sam@verity.test", access.RoleOfficer).Email, "10.0.0.4")

	list, err := e.svc.ListSessions(e.ctx, a, this)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("%d sessions listed, want 3: %+v", len(list), list)
	}
	current := 0
	for _, s := range list {
		if s.Current {
			current++
			if s.IP != "10.0.0.1" {
				t.Errorf("current session is the one from %s", s.IP)
			}
		}
	}
	if current != 1 {
		t.Fatalf("%d sessions marked current", current)
	}

	t.Run("ErrNotFound/AnotherUsersSession", func(t *testing.T) {
		if err := e.svc.EndSession(e.ctx, a, handleOf(sessionID(stranger))); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
		if _, err := e.svc.SessionUser(e.ctx, stranger); err != nil {
			t.Fatalf("someone else's session was ended: %v", err)
		}
	})
	t.Run("ErrNotFound/Malformed", func(t *testing.T) {
		if err := e.svc.EndSession(e.ctx, a, "zz"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
	t.Run("OK/EndOne", func(t *testing.T) {
		if err := e.svc.EndSession(e.ctx, a, handleOf(sessionID(b))); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SessionUser(e.ctx, b); !errors.Is(err, ErrSessionEnded) || e.endedWhy(b) != EndByUser {
			t.Fatalf("ended session still works: %v", err)
		}
		if err := e.svc.EndSession(e.ctx, a, handleOf(sessionID(b))); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("ending it twice: %v, want ErrNotFound", err)
		}
	})
	t.Run("OK/EndOthers", func(t *testing.T) {
		n, err := e.svc.EndOtherSessions(e.ctx, a, this)
		if err != nil || n != 1 {
			t.Fatalf("EndOtherSessions = %d, %v; want 1 (c)", n, err)
		}
		if _, err := e.svc.SessionUser(e.ctx, c); !errors.Is(err, ErrSessionEnded) {
			t.Fatalf("another session survives: %v", err)
		}
		if _, err := e.svc.SessionUser(e.ctx, this); err != nil {
			t.Fatalf("the asking session ended: %v", err)
		}
		if _, err := e.svc.SessionUser(e.ctx, stranger); err != nil {
			t.Fatalf("someone else's session was ended: %v", err)
		}
	})
	t.Run("OK/Audited", func(t *testing.T) {
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = $1 AND actor_id = $2 AND reason = $3`, audit.ActionSessionsEnd, u.ID, EndByUser); n != 2 {
			t.Fatalf("%d audit entries, want 2", n)
		}
	})
	t.Run("ErrForbidden/NotAUser", func(t *testing.T) {
		if _, err := e.svc.ListSessions(e.ctx, access.System("cli"), ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("err = %v, want ErrForbidden", err)
		}
	})
}

func TestEndUserSessions(t *testing.T) {
	e := newEnv(t)
	admin := e.actor("ada@verity.test", access.RoleAdmin)
	officer := e.actor("omar@verity.test", access.RoleOfficer)
	u := e.user("olivia@verity.test", access.RoleOfficer)
	t1, t2 := e.signIn(u.Email, "10.0.0.1"), e.signIn(u.Email, "10.0.0.2")

	t.Run("ErrForbidden/NotAnAdmin", func(t *testing.T) {
		if _, _, err := e.svc.EndUserSessions(e.ctx, officer, u.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("err = %v, want ErrForbidden", err)
		}
		if _, err := e.svc.SessionUser(e.ctx, t1); err != nil {
			t.Fatalf("a refused request ended a session: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, _, err := e.svc.EndUserSessions(e.ctx, admin, 999999); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		got, n, err := e.svc.EndUserSessions(e.ctx, admin, u.ID)
		if err != nil || n != 2 || got.ID != u.ID {
			t.Fatalf("EndUserSessions = %+v, %d, %v", got, n, err)
		}
		for _, tok := range []string{t1, t2} {
			if _, err := e.svc.SessionUser(e.ctx, tok); !errors.Is(err, ErrSessionEnded) || e.endedWhy(tok) != EndEverywhere {
				t.Fatalf("session survives sign out everywhere: %v", err)
			}
		}
		var changes string
		if err := e.db.GetContext(e.ctx, &changes, `SELECT changes_json::jsonb::text FROM audit_entries WHERE action = $1 AND actor_id = $2 AND subject = $3`,
			audit.ActionSessionsEnd, admin.ID, u.Email); err != nil {
			t.Fatal(err)
		}
		if changes != `[{"new": 2, "old": null, "path": "sessionsEnded"}]` {
			t.Fatalf("audit changes = %s", changes)
		}
		if _, err := e.svc.SessionUser(e.ctx, e.signIn(u.Email, "10.0.0.1")); err != nil {
			t.Fatalf("signing in again afterwards: %v", err)
		}
	})
}

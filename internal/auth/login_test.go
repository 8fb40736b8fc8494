package auth

import (
	"errors"
	"fmt"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
)

func TestAuthenticate(t *testing.T) {
	e := newEnv(t)
	u := e.user("Olivia@Verity.test", access.RoleOfficer)
	gone := e.user("gone@verity.test", access.RoleOfficer)
	if _, err := e.svc.SetActive(e.ctx, access.System("t"), gone.ID, false); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, email, password string
		want                  error // nil for success
	}{
		{"OK", "Olivia@Verity.test", testPassword, nil},
		{"OKCaseInsensitiveEmail", "  olivia@verity.TEST ", testPassword, nil},
		{"ErrWrongPassword", "olivia@verity.test", "wrong password!", ErrBadCredentials},
		{"ErrUnknownEmail", "nobody@verity.test", testPassword, ErrBadCredentials},
		{"ErrInactive", "gone@verity.test", testPassword, ErrBadCredentials},
		{"ErrBlank", "", "", ErrBadCredentials},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.svc.Authenticate(e.ctx, tt.email, tt.password, fmt.Sprintf("10.0.0.%d", i), "req")
			if tt.want != nil {
				if !errors.Is(err, tt.want) || !errors.Is(err, apperr.ErrUnauthorized) || got != nil {
					t.Fatalf("Authenticate = %v, %v; want %v", got, err, tt.want)
				}
				if err.Error() != "e-mail or password is wrong" {
					t.Fatalf("message %q tells too much", err.Error())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != u.ID || got.LastLoginAt == nil || !got.LastLoginAt.Equal(e.clock.Now()) {
				t.Fatalf("signed in as %+v", got)
			}
			if n := e.count(`SELECT count(*) FROM staff_sessions`); n != 0 {
				t.Fatalf("Authenticate started %d sessions; only SignIn does", n)
			}
		})
	}
}

func TestAuthenticateRehashes(t *testing.T) {
	e := newEnv(t)
	u := e.user("olivia@verity.test", access.RoleOfficer)
	old, _ := hashWith(testPassword, argonParams{memory: 8 * 1024, time: 1, threads: 1, keyLen: 32, saltLen: 16})
	if _, err := e.db.ExecContext(e.ctx, `UPDATE staff_users SET password_hash = $2 WHERE id = $1`, u.ID, old); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "", "req")
	if err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := e.db.GetContext(e.ctx, &stored, `SELECT password_hash FROM staff_users WHERE id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	if stored == old || NeedsRehash(stored) {
		t.Fatalf("hash not upgraded on sign-in: %s", stored)
	}
	if got.SessionVersion != u.SessionVersion {
		t.Fatal("a rehash must not end sessions")
	}
}

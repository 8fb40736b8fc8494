package auth

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/apperr"
)

func TestAuthenticate(t *testing.T) {
	e := newEnv(t)
	u := e.user("Olivia@Verity.test", RoleOfficer)
	gone := e.user("gone@verity.test", RoleOfficer)
	if _, err := e.svc.SetActive(e.ctx, System("t"), gone.ID, false); err != nil {
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
			if _, err := e.svc.SessionUser(e.ctx, got.ID, got.SessionVersion); err != nil {
				t.Fatalf("SessionUser after sign-in: %v", err)
			}
		})
	}
}

func TestAuthenticateRehashes(t *testing.T) {
	e := newEnv(t)
	u := e.user("olivia@verity.test", RoleOfficer)
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

func TestAuthenticateThrottle(t *testing.T) {
	tooMany := func(t *testing.T, err error, minutes string) {
		t.Helper()
		if !errors.Is(err, ErrTooManyAttempts) || !errors.Is(err, apperr.ErrUnauthorized) {
			t.Fatalf("err = %v, want ErrTooManyAttempts", err)
		}
		if !strings.Contains(err.Error(), "wait "+minutes) {
			t.Fatalf("message %q does not say to wait %s", err.Error(), minutes)
		}
	}

	t.Run("ErrTooManyAttempts/PerAccount", func(t *testing.T) {
		e := newEnv(t)
		u := e.user("olivia@verity.test", RoleOfficer)
		for i := range maxFailures { // from different addresses: the account counter alone must trip
			if _, err := e.svc.Authenticate(e.ctx, u.Email, "wrong password", fmt.Sprintf("10.0.1.%d", i), "r"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: err = %v", i+1, err)
			}
		}
		_, err := e.svc.Authenticate(e.ctx, "OLIVIA@verity.test", testPassword, "10.0.2.1", "r")
		tooMany(t, err, "15 minutes")

		e.clock.Advance(14 * time.Minute)
		_, err = e.svc.Authenticate(e.ctx, u.Email, testPassword, "10.0.2.1", "r")
		tooMany(t, err, "1 minute")

		e.clock.Advance(time.Minute)
		if _, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "10.0.2.1", "r"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// Throttled attempts cost nothing and are not written; the five failures are.
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = $1`, actionLoginFailed); n != maxFailures {
			t.Fatalf("%d failed sign-ins audited, want %d", n, maxFailures)
		}
	})

	t.Run("ErrTooManyAttempts/PerIP", func(t *testing.T) {
		e := newEnv(t)
		u := e.user("olivia@verity.test", RoleOfficer)
		for i := range maxFailures { // one address, a different account each time
			_, err := e.svc.Authenticate(e.ctx, fmt.Sprintf("guess%d@verity.test", i), testPassword, "192.0.2.7", "r")
			if !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: err = %v", i+1, err)
			}
		}
		_, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "192.0.2.7", "r")
		tooMany(t, err, "15 minutes")
		if _, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "192.0.2.8", "r"); err != nil {
			t.Fatalf("the account itself is not locked: %v", err)
		}
	})

	t.Run("OK/SuccessClearsAccountFailures", func(t *testing.T) {
		e := newEnv(t)
		u := e.user("olivia@verity.test", RoleOfficer)
		for round := range 3 {
			for i := range maxFailures - 1 {
				if _, err := e.svc.Authenticate(e.ctx, u.Email, "typo typo typo", fmt.Sprintf("10.%d.0.%d", round, i), "r"); !errors.Is(err, ErrBadCredentials) {
					t.Fatalf("round %d failure %d: %v", round, i, err)
				}
			}
			if _, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "10.9.9.9", "r"); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	})

	t.Run("ErrTooManyAttempts/ConcurrentBurst", func(t *testing.T) {
		e := newEnv(t)
		u := e.user("olivia@verity.test", RoleOfficer)
		var wg sync.WaitGroup
		var mu sync.Mutex
		refused := 0
		for range 3 * maxFailures {
			wg.Go(func() {
				_, err := e.svc.Authenticate(e.ctx, u.Email, "wrong password", "", "r")
				if errors.Is(err, ErrTooManyAttempts) {
					mu.Lock()
					refused++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if refused != 2*maxFailures {
			t.Fatalf("%d of %d concurrent guesses refused, want %d", refused, 3*maxFailures, 2*maxFailures)
		}
	})
}

func TestSessionUser(t *testing.T) {
	e := newEnv(t)
	u := e.user("olivia@verity.test", RoleOfficer)
	tests := []struct {
		name    string
		id      int64
		version int
		want    error
	}{
		{"OK", u.ID, u.SessionVersion, nil},
		{"ErrStaleVersion", u.ID, u.SessionVersion - 1, ErrSessionEnded},
		{"ErrUnknownUser", u.ID + 1000, 1, ErrSessionEnded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.svc.SessionUser(e.ctx, tt.id, tt.version)
			if !errors.Is(err, tt.want) || (err == nil && got.ID != u.ID) {
				t.Fatalf("SessionUser = %+v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

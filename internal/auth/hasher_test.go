package auth

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/pgtest"
)

func TestHasherBound(t *testing.T) {
	db := pgtest.New(t)
	svc := NewService(db, Options{HashSlots: 2, HashWait: time.Minute})
	for i := range 8 {
		if _, err := svc.CreateUser(t.Context(), access.System("t"), NewUser{Email: fmt.Sprintf("user%d@verity.test", i), Name: "User", Role: access.RoleOfficer, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
	}
	argonStats.reset()
	var wg sync.WaitGroup
	for i := range 24 { // each its own account and address, so the throttle lets all of them hash
		wg.Go(func() {
			pw := "wrong password"
			if i%2 == 0 {
				pw = testPassword
			}
			_, _ = svc.Authenticate(t.Context(), fmt.Sprintf("user%d@verity.test", i), pw, fmt.Sprintf("10.1.0.%d", i), "r")
		})
	}
	wg.Wait()
	peak, total := argonStats.reset()
	if total < 24 {
		t.Fatalf("%d hashes for 24 sign-ins: the test did not exercise the hasher", total)
	}
	if peak > 2 {
		t.Fatalf("%d argon2 computations ran at once, bound 2", peak)
	}
}

func TestHasherBusy(t *testing.T) {
	e := newEnv(t)
	u := e.user("olivia@verity.test", access.RoleOfficer)
	svc := NewService(e.db, Options{Now: e.clock.Now, HashSlots: 1, HashWait: 10 * time.Millisecond})
	release := svc.HoldHashSlots()
	defer release()

	_, err := svc.Authenticate(e.ctx, u.Email, testPassword, "10.0.0.1", "r")
	ae, ok := apperr.As(err)
	if !errors.Is(err, ErrHasherBusy) || !ok || ae.Kind != apperr.KindUnavailable || ae.RetryAfter <= 0 {
		t.Fatalf("err = %v, want ErrHasherBusy (503) with a Retry-After", err)
	}
	// Not the caller's failure: nothing is charged to the throttle.
	if n := e.count(`SELECT count(*) FROM signin_failures`); n != 0 {
		t.Fatalf("%d attempts charged for a busy server", n)
	}
	err = svc.ChangePassword(e.ctx, u.Actor("r"), PasswordChange{Current: testPassword, Next: "a brand new passphrase"})
	if !errors.Is(err, ErrHasherBusy) {
		t.Fatalf("change password: err = %v, want ErrHasherBusy", err)
	}
	release()
	if _, err := svc.Authenticate(e.ctx, u.Email, testPassword, "10.0.0.1", "r"); err != nil {
		t.Fatalf("after the slot is free: %v", err)
	}
}

func TestOverlongPasswordIsNotHashed(t *testing.T) {
	e := newEnv(t)
	u := e.user("olivia@verity.test", access.RoleOfficer)
	for _, pw := range []string{
		strings.Repeat("a", MaxPasswordLen+1),
		strings.Repeat("é", MaxPasswordLen+1), // characters, not bytes
		strings.Repeat("x", 10<<20),           // 10 MB
	} {
		argonStats.reset()
		_, err := e.svc.Authenticate(e.ctx, u.Email, pw, "10.0.0.1", "r")
		if !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("%d-byte password: err = %v, want ErrBadCredentials", len(pw), err)
		}
		err = e.svc.ChangePassword(e.ctx, u.Actor("r"), PasswordChange{Current: pw, Next: "a brand new passphrase", IP: "10.0.0.2"})
		if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindInvalid {
			t.Fatalf("%d-byte current password: err = %v, want a field error", len(pw), err)
		}
		_, err = e.svc.CreateUser(e.ctx, access.System("t"), NewUser{Email: "x@verity.test", Name: "X", Role: access.RoleViewer, Password: pw})
		if ae, ok := apperr.As(err); !ok || len(ae.Fields["password"]) == 0 {
			t.Fatalf("%d-byte new password: err = %v, want a password field error", len(pw), err)
		}
		if _, total := argonStats.reset(); total != 0 {
			t.Fatalf("%d-byte password: %d argon2 computations, want none", len(pw), total)
		}
	}
	// A password of exactly the limit is still checked (and may be right).
	argonStats.reset()
	_, _ = e.svc.Authenticate(e.ctx, u.Email, strings.Repeat("é", MaxPasswordLen), "10.0.0.3", "r")
	if _, total := argonStats.reset(); total != 1 {
		t.Fatalf("%d argon2 computations for a password at the limit, want 1", total)
	}
}

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
	"github.com/verity-kyb/verity/internal/audit"
)

// tooMany fails unless err is a throttle refusal asking to wait about want.
func tooMany(t *testing.T, err error, want time.Duration) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !errors.Is(err, ErrTooManyAttempts) || !ok || ae.Kind != apperr.KindTooMany {
		t.Fatalf("err = %v, want ErrTooManyAttempts (429)", err)
	}
	if ae.RetryAfter != want {
		t.Fatalf("Retry-After %v, want %v", ae.RetryAfter, want)
	}
}

func TestThrottlePerPair(t *testing.T) {
	t.Run("ErrTooManyAttempts/AttackerIP", func(t *testing.T) {
		e := newEnv(t)
		u := e.user("olivia@verity.test", access.RoleOfficer)
		for i := range pairMaxFailures {
			if _, err := e.svc.Authenticate(e.ctx, u.Email, "wrong password", "203.0.113.9", "r"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: err = %v", i+1, err)
			}
			e.clock.Advance(time.Minute)
		}
		// The attacker's address is refused, even with the right password …
		_, err := e.svc.Authenticate(e.ctx, "OLIVIA@verity.test", testPassword, "203.0.113.9", "r")
		tooMany(t, err, pairWindow-pairMaxFailures*time.Minute)
		// … but the owner, from another address, signs in at once.
		if _, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "198.51.100.20", "r"); err != nil {
			t.Fatalf("the owner is locked out by someone else's guesses: %v", err)
		}
		e.clock.Advance(pairWindow)
		if _, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "203.0.113.9", "r"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// Refused attempts cost nothing and are not written; the failures are.
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = $1`, audit.ActionLoginFailed); n != pairMaxFailures {
			t.Fatalf("%d failed sign-ins audited, want %d", n, pairMaxFailures)
		}
	})

	t.Run("OK/JunkKeysDoNotClearALock", func(t *testing.T) {
		e := newEnv(t)
		u := e.user("olivia@verity.test", access.RoleOfficer)
		for range pairMaxFailures {
			_, _ = e.svc.Authenticate(e.ctx, u.Email, "wrong password", "203.0.113.9", "r")
		}
		// 50,000 attempts at distinct e-mails from distinct addresses, as a
		// flood of junk would leave them (written directly: hashing each
		// would take minutes). The in-memory table forgot the stalest keys
		// after 10,000.
		if _, err := e.db.ExecContext(e.ctx, `INSERT INTO signin_failures (account, ip, at)
			SELECT 'junk' || g || '@example.com', '10.' || (g / 65536) || '.' || (g / 256 % 256) || '.' || (g % 256), $1
			FROM generate_series(1, 50000) g`, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
		_, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "203.0.113.9", "r")
		tooMany(t, err, pairWindow-time.Second)
	})

	t.Run("OK/SuccessClearsOwnTypos", func(t *testing.T) {
		e := newEnv(t)
		u := e.user("olivia@verity.test", access.RoleOfficer)
		for round := range 3 {
			for i := range pairMaxFailures - 1 {
				if _, err := e.svc.Authenticate(e.ctx, u.Email, "typo typo typo", "10.9.9.9", "r"); !errors.Is(err, ErrBadCredentials) {
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
		u := e.user("olivia@verity.test", access.RoleOfficer)
		svc := NewService(e.db, Options{Now: e.clock.Now, HashWait: time.Minute}) // no 503s, however slow the machine
		var wg sync.WaitGroup
		var mu sync.Mutex
		refused := 0
		for range 3 * pairMaxFailures {
			wg.Go(func() {
				_, err := svc.Authenticate(e.ctx, u.Email, "wrong password", "203.0.113.9", "r")
				if errors.Is(err, ErrTooManyAttempts) {
					mu.Lock()
					refused++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if refused != 2*pairMaxFailures {
			t.Fatalf("%d of %d concurrent guesses refused, want %d", refused, 3*pairMaxFailures, 2*pairMaxFailures)
		}
	})
}

func TestThrottlePerIP(t *testing.T) {
	t.Run("ErrTooManyAttempts/ManyAccountsOneAddress", func(t *testing.T) {
		e := newEnv(t)
		u := e.user("olivia@verity.test", access.RoleOfficer)
		for i := range ipMaxFailures {
			_, err := e.svc.Authenticate(e.ctx, fmt.Sprintf("guess%d@verity.test", i), testPassword, "192.0.2.7", "r")
			if !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: err = %v", i+1, err)
			}
		}
		_, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "192.0.2.7", "r")
		tooMany(t, err, ipWindow)
		if _, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "192.0.2.8", "r"); err != nil {
			t.Fatalf("the account itself is not locked: %v", err)
		}
	})

	t.Run("ErrTooManyAttempts/SharedByTwoProcesses", func(t *testing.T) {
		e := newEnv(t)
		other := NewService(e.db, Options{Now: e.clock.Now}) // a second instance on the same database
		u := e.user("olivia@verity.test", access.RoleOfficer)
		for i := range ipMaxFailures {
			svc := e.svc
			if i%2 == 1 {
				svc = other
			}
			if _, err := svc.Authenticate(e.ctx, fmt.Sprintf("guess%d@verity.test", i), "wrong password", "192.0.2.7", "r"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: err = %v", i+1, err)
			}
		}
		for name, svc := range map[string]*Service{"first": e.svc, "second": other} {
			_, err := svc.Authenticate(e.ctx, u.Email, testPassword, "192.0.2.7", "r")
			if !errors.Is(err, ErrTooManyAttempts) {
				t.Fatalf("%s instance admits the address after %d failures spread over two: %v", name, ipMaxFailures, err)
			}
		}
		// A restarted process (a fresh service) still remembers.
		restarted := NewService(e.db, Options{Now: e.clock.Now})
		if _, err := restarted.Authenticate(e.ctx, u.Email, testPassword, "192.0.2.7", "r"); !errors.Is(err, ErrTooManyAttempts) {
			t.Fatalf("a restart forgot the failures: %v", err)
		}
	})
}

func TestThrottlePerAccount(t *testing.T) {
	e := newEnv(t)
	u := e.user("olivia@verity.test", access.RoleOfficer)
	// A guesser spread over many addresses, two guesses each.
	fail := func(n int) {
		t.Helper()
		for i := range n {
			ip := fmt.Sprintf("203.0.%d.%d", i/2/256, i/2%256)
			if _, err := e.svc.Authenticate(e.ctx, u.Email, "wrong password", ip, "r"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
	}
	fail(accountFreeFailures - 1)
	t.Run("OK/FreeFailuresCostTheOwnerNothing", func(t *testing.T) {
		if _, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "198.51.100.20", "r"); err != nil {
			t.Fatal(err)
		}
	})
	fail(1)
	t.Run("ErrTooManyAttempts/BackOffDelaysEveryone", func(t *testing.T) {
		_, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "198.51.100.21", "r")
		tooMany(t, err, accountBackoffBase)
		e.clock.Advance(accountBackoffBase)
		if _, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "198.51.100.21", "r"); err != nil {
			t.Fatalf("after the back-off: %v", err)
		}
	})
	t.Run("OK/BackOffIsCapped", func(t *testing.T) {
		for failed := 0; failed < 40; { // forty more guesses, each from a fresh address, each waiting its turn
			_, err := e.svc.Authenticate(e.ctx, u.Email, "wrong password", fmt.Sprintf("203.1.0.%d", failed), "r")
			if ae, ok := apperr.As(err); ok && ae.Kind == apperr.KindTooMany {
				if ae.RetryAfter > accountMaxBackoff {
					t.Fatalf("guess %d told to wait %v", failed, ae.RetryAfter)
				}
				e.clock.Advance(ae.RetryAfter)
				continue
			}
			failed++
		}
		_, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "198.51.100.22", "r")
		tooMany(t, err, accountMaxBackoff)
		e.clock.Advance(accountMaxBackoff)
		if _, err := e.svc.Authenticate(e.ctx, u.Email, testPassword, "198.51.100.22", "r"); err != nil {
			t.Fatalf("the owner is locked out: %v", err)
		}
	})
}

func TestThrottlePrunes(t *testing.T) {
	e := newEnv(t)
	for i := range 3 {
		_, _ = e.svc.Authenticate(e.ctx, fmt.Sprintf("guess%d@verity.test", i), "wrong password", "192.0.2.7", "r")
	}
	e.clock.Advance(throttleKeep + pruneEvery)
	_, _ = e.svc.Authenticate(e.ctx, "guess@verity.test", "wrong password", "192.0.2.8", "r")
	if n := e.count(`SELECT count(*) FROM signin_failures`); n != 1 {
		t.Fatalf("%d rows left, want only the latest", n)
	}
}

func TestTooManyAttemptsMessage(t *testing.T) {
	for _, tt := range []struct {
		wait time.Duration
		want string
	}{
		{300 * time.Millisecond, "wait 1 second"},
		{10 * time.Second, "wait 10 seconds"},
		{90 * time.Second, "wait 2 minutes"},
		{15 * time.Minute, "wait 15 minutes"},
	} {
		if got := tooManyAttempts(tt.wait).Error(); !strings.Contains(got, tt.want) {
			t.Errorf("%v: %q, want %q", tt.wait, got, tt.want)
		}
	}
}

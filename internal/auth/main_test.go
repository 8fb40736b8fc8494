package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const testPassword = "correct horse battery"

// clock is a settable time source for throttle windows and cache expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one test's service on its own fresh database.
type env struct {
	t     *testing.T
	ctx   context.Context
	db    *sqlx.DB
	svc   *Service
	clock *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.New(t)
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	svc := NewService(db, Options{Now: c.Now})
	t.Cleanup(svc.flushes.Wait) // before the pool closes: cleanups run last-in first-out
	return &env{t: t, ctx: context.Background(), db: db, svc: svc, clock: c}
}

// user creates an account through the service and returns it.
func (e *env) user(email string, role access.Role) *User {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.ctx, access.System("test"), NewUser{Email: email, Name: "User " + email, Role: role, Password: testPassword})
	if err != nil {
		e.t.Fatalf("create %s: %v", email, err)
	}
	return u
}

// actor creates an account and returns it acting in a request.
func (e *env) actor(email string, role access.Role) access.Actor {
	e.t.Helper()
	return e.user(email, role).Actor("req-" + email)
}

// count runs a SELECT count(*) … and returns the number.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.GetContext(e.ctx, &n, query, args...); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// signIn starts a session for an account with the test password and returns its token.
func (e *env) signIn(email, ip string) string {
	e.t.Helper()
	_, tok, err := e.svc.SignIn(e.ctx, email, testPassword, Client{IP: ip, UserAgent: "test"}, "req-sign-in")
	if err != nil {
		e.t.Fatalf("sign in %s: %v", email, err)
	}
	return tok
}

// endedWhy is why a session ended ("" while open).
func (e *env) endedWhy(token string) string {
	e.t.Helper()
	var why *string
	if err := e.db.GetContext(e.ctx, &why, `SELECT ended_why FROM staff_sessions WHERE id = $1`, sessionID(token)); err != nil {
		e.t.Fatal(err)
	}
	if why == nil {
		return ""
	}
	return *why
}

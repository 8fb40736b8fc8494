package seed

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// dev is the private development database, the one target for demo staff.
var dev = Target{Private: true, Env: config.EnvDevelopment}

type demoEnv struct {
	ctx       context.Context
	db        *sqlx.DB
	customers *customer.Service
	users     *auth.Service
}

func newDemoEnv(t *testing.T) *demoEnv {
	t.Helper()
	db := pgtest.New(t)
	return &demoEnv{
		ctx:       context.Background(),
		db:        db,
		customers: customer.NewService(db, customer.Options{FourEyes: true, VerifyBaseURL: "https://verify.test/kyb"}),
		users:     auth.NewService(db, auth.Options{}),
	}
}

func (e *demoEnv) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.GetContext(e.ctx, &n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestDemoCredentials(t *testing.T) {
	roles := map[string]int{}
	for _, c := range DemoCredentials() {
		roles[c.Role]++
		if len(c.Password) < 12 || !strings.HasSuffix(c.Email, "@verity.test") {
			t.Errorf("%+v: want a password of 12+ characters and an @verity.test address", c)
		}
		if _, ok := access.ParseRole(c.Role); !ok {
			t.Errorf("%+v: unknown role", c)
		}
	}
	if roles["officer"] != 1 || roles["admin"] != 2 || roles["viewer"] != 1 {
		t.Errorf("roles %v: want one officer, two admins (four-eyes) and one viewer", roles)
	}
}

func TestDemoOnce(t *testing.T) {
	e := newDemoEnv(t)
	creds, seeded, err := DemoOnce(e.ctx, e.db, e.customers, e.users, dev, 25)
	if err != nil {
		t.Fatalf("first DemoOnce: %v", err)
	}
	if !seeded {
		t.Fatal("first DemoOnce on an empty database did not seed")
	}
	if !slices.Equal(creds, DemoCredentials()) {
		t.Fatalf("credentials %v, want %v", creds, DemoCredentials())
	}
	if n := e.count(t, `SELECT count(*) FROM customers`); n != 25 {
		t.Fatalf("%d customers after seeding, want 25", n)
	}
	if n := e.count(t, `SELECT count(*) FROM staff_users`); n != len(DemoCredentials()) {
		t.Fatalf("%d staff accounts, want %d", n, len(DemoCredentials()))
	}
	if n := e.count(t, `SELECT count(*) FROM audit_entries WHERE action = $1 AND actor_type = 'system'`, audit.ActionCustomerImport); n != 25 {
		t.Errorf("%d system import entries in the audit trail, want 25", n)
	}
	if n := e.count(t, `SELECT count(*) FROM customers WHERE status = 'VERIFIED'`); n == 0 {
		t.Error("no VERIFIED customer among the demo data")
	}

	t.Run("SecondCallSeedsNothing", func(t *testing.T) {
		again, seeded, err := DemoOnce(e.ctx, e.db, e.customers, e.users, dev, 25)
		if err != nil || seeded {
			t.Fatalf("second DemoOnce: seeded=%v err=%v, want nothing seeded", seeded, err)
		}
		if !slices.Equal(again, creds) {
			t.Errorf("second call credentials %v, want %v", again, creds)
		}
		if n := e.count(t, `SELECT count(*) FROM customers`); n != 25 {
			t.Errorf("%d customers after the second call, want 25", n)
		}
	})

	t.Run("DemoUsersSignIn", func(t *testing.T) {
		for _, c := range creds {
			u, err := e.users.Authenticate(e.ctx, c.Email, c.Password, "127.0.0.1", "test")
			if err != nil {
				t.Fatalf("%s cannot sign in: %v", c.Email, err)
			}
			if string(u.Role) != c.Role {
				t.Errorf("%s has role %s, want %s", c.Email, u.Role, c.Role)
			}
		}
		if _, err := e.users.Authenticate(e.ctx, creds[0].Email, "not-the-password", "127.0.0.1", "test"); err == nil {
			t.Error("a wrong password signed in")
		}
	})

	t.Run("DeactivatedAccountIsNotListed", func(t *testing.T) {
		if _, err := e.db.ExecContext(e.ctx, `UPDATE staff_users SET active = false WHERE email = 'viewer@verity.test'`); err != nil {
			t.Fatal(err)
		}
		got, _, err := DemoOnce(e.ctx, e.db, e.customers, e.users, dev, 25)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range got {
			if c.Email == "viewer@verity.test" {
				t.Errorf("the deactivated viewer is still listed: %v", got)
			}
		}
		if len(got) != len(creds)-1 {
			t.Errorf("got %d credentials, want %d", len(got), len(creds)-1)
		}
	})
}

func TestDemoOnceLeavesAnExistingInstallAlone(t *testing.T) {
	e := newDemoEnv(t)
	if _, err := e.users.CreateUser(e.ctx, access.System("test"), auth.NewUser{Email: "lead@example.com", Name: "Lead Admin",
		Role: access.RoleAdmin, Password: "a-long-enough-password"}); err != nil {
		t.Fatal(err)
	}
	creds, seeded, err := DemoOnce(e.ctx, e.db, e.customers, e.users, dev, 10)
	if err != nil || seeded || len(creds) != 0 {
		t.Fatalf("DemoOnce with staff present: creds=%v seeded=%v err=%v, want nothing", creds, seeded, err)
	}
	if n := e.count(t, `SELECT count(*) FROM customers`); n != 0 {
		t.Errorf("%d customers imported into an existing install", n)
	}
}

func TestDemo(t *testing.T) {
	e := newDemoEnv(t)
	n, err := Demo(e.ctx, e.db, e.customers, e.users, dev, 30)
	if err != nil || n != 30 {
		t.Fatalf("Demo: imported %d, err %v; want 30", n, err)
	}
	if _, err := e.db.ExecContext(e.ctx, `DELETE FROM staff_users WHERE email = 'admin2@verity.test'`); err != nil {
		t.Fatal(err)
	}
	if n, err = Demo(e.ctx, e.db, e.customers, e.users, dev, 20); err != nil || n != 20 {
		t.Fatalf("second Demo: imported %d, err %v; want 20 more", n, err)
	}
	if got := e.count(t, `SELECT count(*) FROM customers`); got != 50 {
		t.Errorf("%d customers after two runs, want 50", got)
	}
	creds, err := AvailableCredentials(e.ctx, e.db)
	if err != nil || !slices.Equal(creds, DemoCredentials()) {
		t.Errorf("credentials %v (err %v): the missing admin2 should have been created again", creds, err)
	}

	t.Run("ErrSameSeedTwice", func(t *testing.T) {
		if _, err := DemoWithSeed(e.ctx, e.db, e.customers, e.users, dev, 5, 11); err != nil {
			t.Fatal(err)
		}
		n, err := DemoWithSeed(e.ctx, e.db, e.customers, e.users, dev, 5, 11)
		if err == nil || n != 0 {
			t.Errorf("the same seed imported again: %d customers, err %v", n, err)
		}
	})

	t.Run("ErrCount", func(t *testing.T) {
		for _, n := range []int{0, -1, MaxDemoCustomers + 1} {
			if _, err := Demo(e.ctx, e.db, e.customers, e.users, dev, n); err == nil {
				t.Errorf("Demo with %d customers: no error", n)
			}
		}
	})
}

// Demo staff (published passwords) never reach a database other than the
// private development one; demo customers alone may go anywhere.
func TestDemoStaffOnlyInPrivateDevelopment(t *testing.T) {
	for name, target := range map[string]Target{
		"DATABASE_URL":        {Private: false, Env: config.EnvDevelopment},
		"DATABASE_URL/prod":   {Private: false, Env: config.EnvProduction},
		"private/production":  {Private: true, Env: config.EnvProduction},
		"private/unknown env": {Private: true, Env: ""},
	} {
		t.Run("ErrDemoStaffRefused/"+name, func(t *testing.T) {
			e := newDemoEnv(t)
			if _, err := Demo(e.ctx, e.db, e.customers, e.users, target, 5); !errors.Is(err, ErrDemoStaffRefused) {
				t.Fatalf("Demo: err = %v, want ErrDemoStaffRefused", err)
			}
			if _, _, err := DemoOnce(e.ctx, e.db, e.customers, e.users, target, 5); !errors.Is(err, ErrDemoStaffRefused) {
				t.Fatalf("DemoOnce: err = %v, want ErrDemoStaffRefused", err)
			}
			if n := e.count(t, `SELECT count(*) FROM staff_users`) + e.count(t, `SELECT count(*) FROM customers`); n != 0 {
				t.Fatalf("%d rows written by a refused seeding", n)
			}
		})
	}
	t.Run("OK/CustomersOnly", func(t *testing.T) {
		e := newDemoEnv(t)
		if n, err := CustomersWithSeed(e.ctx, e.customers, 7, 3); err != nil || n != 7 {
			t.Fatalf("CustomersWithSeed: %d, %v", n, err)
		}
		if n := e.count(t, `SELECT count(*) FROM staff_users`); n != 0 {
			t.Fatalf("%d staff accounts created by a customers-only seeding", n)
		}
	})
}

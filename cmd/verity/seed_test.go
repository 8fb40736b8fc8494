package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/seed"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The review's finding: `VERITY_ENV=production verity seed --demo` against a
// DATABASE_URL created admin@verity.test with its published password. Demo
// staff are refused on any DATABASE_URL; --customers-only still seeds.
func TestSeedDemoStaffRefusedOnDatabaseURL(t *testing.T) {
	url := pgtest.NewURL(t)
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.Get(&n, q); err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Setenv("DATABASE_URL", url)
	t.Setenv("DATA_DIR", t.TempDir())
	t.Setenv("SESSION_SECRET", "k3J9v2QmX7pL0sR5tY8uW1zA4bC6dE9fG2hJ5kM8")
	t.Setenv("LOG_LEVEL", "error")

	for _, env := range []string{"production", "development"} {
		t.Run("ErrDemoStaffRefused/"+env, func(t *testing.T) {
			t.Setenv("VERITY_ENV", env)
			var out bytes.Buffer
			err := run(t.Context(), []string{"seed", "--demo", "--customers", "3"}, nil, &out, &out)
			if !errors.Is(err, seed.ErrDemoStaffRefused) {
				t.Fatalf("seed --demo on DATABASE_URL: err = %v, want ErrDemoStaffRefused", err)
			}
			if n := count(`SELECT count(*) FROM staff_users`); n != 0 || strings.Contains(out.String(), "demo-2026") {
				t.Fatalf("%d staff accounts created, output %q", n, out.String())
			}
		})
	}
	t.Run("OK/CustomersOnly", func(t *testing.T) {
		t.Setenv("VERITY_ENV", "production")
		var out bytes.Buffer
		if err := run(t.Context(), []string{"seed", "--customers-only", "--customers", "4", "--seed", "9"}, nil, &out, &out); err != nil {
			t.Fatalf("seed --customers-only: %v", err)
		}
		if n := count(`SELECT count(*) FROM customers`); n != 4 {
			t.Fatalf("%d customers, want 4", n)
		}
		if n := count(`SELECT count(*) FROM staff_users`); n != 0 || strings.Contains(out.String(), "sign-in") {
			t.Fatalf("%d staff accounts after a customers-only seeding; output %q", n, out.String())
		}
	})
	t.Run("ErrNeitherFlag", func(t *testing.T) {
		if err := run(t.Context(), []string{"seed"}, nil, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Fatal("seed without --demo or --customers-only ran")
		}
	})
}

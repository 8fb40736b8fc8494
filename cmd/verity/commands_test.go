package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/pgtest"
)

// verity apikey create: --owner makes a key of that staff user (role at most
// theirs), without it a service principal of its own; --expires sets a lifetime.
func TestAPIKeyCreateCommand(t *testing.T) {
	url := pgtest.NewURL(t)
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	t.Setenv("DATABASE_URL", url)
	t.Setenv("DATA_DIR", t.TempDir())
	t.Setenv("VERITY_ENV", "development")
	t.Setenv("LOG_LEVEL", "error")
	cli := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(t.Context(), args, strings.NewReader(stdin), &out, &out)
		return strings.TrimSpace(out.String()), err
	}
	if _, err := cli("a-long-enough-password\n", "user", "create", "--email", "olive@verity.test", "--name", "Olive Officer",
		"--role", "officer", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	type key struct {
		Owner   *string    `db:"owner"`
		Expires *time.Time `db:"expires_at"`
	}
	last := func() key {
		t.Helper()
		var k key
		if err := db.Get(&k, `SELECT u.email AS owner, k.expires_at FROM api_keys k LEFT JOIN staff_users u ON u.id = k.owner_id
			ORDER BY k.id DESC LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		return k
	}

	t.Run("OK/Owner", func(t *testing.T) {
		secret, err := cli("", "apikey", "create", "--name", "olive's export", "--role", "officer", "--owner", "OLIVE@verity.test", "--expires", "90d")
		if err != nil || !strings.HasPrefix(secret, "vk_") {
			t.Fatalf("%q, %v", secret, err)
		}
		k := last()
		if k.Owner == nil || *k.Owner != "olive@verity.test" || k.Expires == nil || time.Until(*k.Expires) < 89*24*time.Hour {
			t.Fatalf("key %+v, want Olive's, expiring in 90 days", k)
		}
	})
	t.Run("OK/ServicePrincipal", func(t *testing.T) {
		if _, err := cli("", "apikey", "create", "--name", "nightly", "--role", "admin"); err != nil {
			t.Fatal(err)
		}
		if k := last(); k.Owner != nil || k.Expires != nil {
			t.Fatalf("key %+v, want no owner and no expiry", k)
		}
	})
	t.Run("Err", func(t *testing.T) {
		for _, args := range [][]string{
			{"--name", "x", "--role", "admin", "--owner", "olive@verity.test"}, // above the owner's role
			{"--name", "x", "--role", "viewer", "--owner", "nobody@verity.test"},
			{"--name", "x", "--role", "viewer", "--expires", "soon"},
		} {
			if _, err := cli("", append([]string{"apikey", "create"}, args...)...); err == nil {
				t.Errorf("apikey create %v: no error", args)
			}
		}
	})
}

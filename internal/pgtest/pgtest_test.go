package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/migrations"
)

func TestMain(m *testing.M) { Main(m) }

// newestMigration is the version goose should report on a fresh database.
func newestMigration(t *testing.T) int64 {
	t.Helper()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no embedded migrations: %v", err)
	}
	var newest int64
	for _, name := range names {
		digits, _, _ := strings.Cut(name, "_")
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			t.Fatalf("migration %s has no version: %v", name, err)
		}
		newest = max(newest, v)
	}
	return newest
}

// assertMigrated checks db is at the newest migration, as a plain role.
func assertMigrated(t *testing.T, db *sqlx.DB) {
	t.Helper()
	var version int64
	if err := db.Get(&version, `SELECT max(version_id) FROM goose_db_version`); err != nil || version != newestMigration(t) {
		t.Fatalf("goose version %d, %v; want %d", version, err, newestMigration(t))
	}
	var super bool
	if err := db.Get(&super, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`); err != nil || super {
		t.Fatalf("test role is superuser=%v (%v); want an ordinary role", super, err)
	}
}

func TestDatabasesAreIsolated(t *testing.T) {
	names := make(chan string, 2)
	t.Run("group", func(t *testing.T) {
		for _, name := range []string{"first", "second"} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				began := time.Now()
				db := New(t)
				t.Logf("New took %s", time.Since(began).Round(time.Millisecond))
				assertMigrated(t, db)
				// Both tests write the same key: only separate databases let both succeed.
				if _, err := db.Exec(`CREATE TABLE probe (v text PRIMARY KEY); INSERT INTO probe VALUES ('same')`); err != nil {
					t.Fatalf("the other test's table or row is visible here: %v", err)
				}
				var n int
				if err := db.Get(&n, `SELECT count(*) FROM probe`); err != nil || n != 1 {
					t.Fatalf("probe has %d rows (%v); want 1", n, err)
				}
				var current string
				if err := db.Get(&current, `SELECT current_database()`); err != nil {
					t.Fatal(err)
				}
				names <- current
			})
		}
	})
	close(names)
	first, second := <-names, <-names
	if first == "" || first == second {
		t.Fatalf("databases %q and %q; want two different ones", first, second)
	}
}

func TestNewURLAndCleanup(t *testing.T) {
	var dsn, name string
	t.Run("test", func(t *testing.T) {
		dsn = NewURL(t)
		if !strings.Contains(dsn, "binary_parameters=yes") {
			t.Errorf("NewURL = %q; want binary_parameters=yes", dsn)
		}
		db, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		assertMigrated(t, db)
		if err := db.Get(&name, `SELECT current_database()`); err != nil {
			t.Fatal(err)
		}
		// A connection left open (as an app under test might) must not
		// stop the database from being dropped.
		leaked, err := sql.Open("postgres", dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := leaked.Ping(); err != nil {
			t.Fatal(err)
		}
	})

	base, err := baseConfig()
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("postgres", configURL(base))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var exists bool
	if err := admin.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if name == "" || exists {
		t.Fatalf("database %q still exists after its test passed", name)
	}
}

func TestConfigFromURL(t *testing.T) {
	t.Run("Socket", func(t *testing.T) {
		c, err := configFromURL("postgres://postgres@/postgres?host=%2Fdev%2Fshm%2Fpgtest-1%2Fdata&port=5432&sslmode=disable")
		if err != nil {
			t.Fatal(err)
		}
		q, _ := url.ParseQuery(c.Options)
		if c.Host != "" || c.Port != "" || c.User != "postgres" || c.Database != "postgres" ||
			q.Get("host") != "/dev/shm/pgtest-1/data" || q.Get("binary_parameters") != "yes" {
			t.Errorf("config = %+v", c)
		}
	})
	t.Run("TCPWithAwkwardPassword", func(t *testing.T) {
		c, err := configFromURL("postgresql://ci%40corp:p%40ss%3Aw%2Fd@db.internal:6543/?binary_parameters=no")
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(configURL(c))
		if err != nil {
			t.Fatal(err)
		}
		pw, _ := u.User.Password()
		if u.User.Username() != "ci@corp" || pw != "p@ss:w/d" || u.Host != "db.internal:6543" ||
			u.Path != "/postgres" || u.Query().Get("binary_parameters") != "no" {
			t.Errorf("round trip = %s", u.Redacted())
		}
	})
	t.Run("ErrNotAURL", func(t *testing.T) {
		if _, err := configFromURL("host=/tmp dbname=x"); err == nil || !strings.Contains(err.Error(), EnvURL) {
			t.Errorf("err = %v; want one naming %s", err, EnvURL)
		}
	})
}

func TestHashFollowsMigrationContents(t *testing.T) {
	a := fstest.MapFS{"00001_a.sql": {Data: []byte("SELECT 1;")}}
	b := fstest.MapFS{"00001_a.sql": {Data: []byte("SELECT 2;")}}
	ha, err1 := hashFS(a)
	ha2, err2 := hashFS(a)
	hb, err3 := hashFS(b)
	if err1 != nil || err2 != nil || err3 != nil || ha != ha2 || ha == hb {
		t.Fatalf("hashes %q %q %q (%v %v %v); want stable and content-sensitive", ha, ha2, hb, err1, err2, err3)
	}
	if h, err := (migrator{}).Hash(); err != nil || len(h) != 16 {
		t.Fatalf("migrator hash %q, %v", h, err)
	}
}

func TestRemoveStale(t *testing.T) {
	parent := t.TempDir()
	done := exec.Command("true")
	if err := done.Run(); err != nil {
		t.Fatal(err)
	}
	dead, me := done.ProcessState.Pid(), os.Getpid()
	mk := func(name, postmaster string) string {
		dir := filepath.Join(parent, name)
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
			t.Fatal(err)
		}
		if postmaster != "" {
			if err := os.WriteFile(filepath.Join(dir, "data", "postmaster.pid"), []byte(postmaster+"\n/x\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	stale := mk(fmt.Sprintf("pgtest-%d-1", dead), strconv.Itoa(dead))
	ours := mk(fmt.Sprintf("pgtest-%d-2", me), "")
	serverAlive := mk(fmt.Sprintf("pgtest-%d-3", dead), strconv.Itoa(me))
	other := mk("unrelated", "")

	removeStale(parent)
	for dir, keep := range map[string]bool{stale: false, ours: true, serverAlive: true, other: true} {
		_, err := os.Stat(dir)
		if kept := err == nil; kept != keep {
			t.Errorf("%s: kept=%v, want %v", filepath.Base(dir), kept, keep)
		}
	}
}

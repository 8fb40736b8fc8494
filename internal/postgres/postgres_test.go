package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/migrations"
)

// One server for the tests of Open, WithTx and friends; each test gets its
// own database on it. TestMain stops it.
var (
	sharedOnce sync.Once
	shared     *Server
	sharedDir  string
	sharedErr  error
	dbCounter  int
	dbMu       sync.Mutex
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperDataDirEnv); dir != "" {
		os.Exit(serveUntilKilled(dir))
	}
	code := m.Run()
	if shared != nil {
		_ = shared.Stop()
	}
	if sharedDir != "" {
		_ = os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

// newDatabase creates an empty database on the shared server and returns
// its URL (without binary_parameters: Open adds it).
func newDatabase(t *testing.T) (*Server, string) {
	t.Helper()
	sharedOnce.Do(func() {
		if sharedDir, sharedErr = os.MkdirTemp("", "pgtest-postgres-"); sharedErr != nil {
			return
		}
		shared, sharedErr = StartServer(context.Background(), ServerOptions{DataDir: sharedDir + "/data", Ephemeral: true})
	})
	if sharedErr != nil {
		t.Fatalf("start the test server: %v", sharedErr)
	}
	dbMu.Lock()
	dbCounter++
	name := fmt.Sprintf("t%d", dbCounter)
	dbMu.Unlock()
	if err := shared.EnsureDatabase(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	return shared, name
}

func open(t *testing.T, dsn string) *sqlx.DB {
	t.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open(%q): %v", dsn, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestWithBinaryParameters(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u@/db?host=%2Ftmp&port=5432", "postgres://u@/db?host=%2Ftmp&port=5432&binary_parameters=yes"},
		{"postgresql://u:p@db.example:5432/verity", "postgresql://u:p@db.example:5432/verity?binary_parameters=yes"},
		{"postgres://u@h/db?binary_parameters=no", "postgres://u@h/db?binary_parameters=no"},
		{"host=/tmp dbname=verity sslmode=disable", "host=/tmp dbname=verity sslmode=disable binary_parameters=yes"},
		{"host=/tmp binary_parameters = no", "host=/tmp binary_parameters = no"},
		{"binary_parameters=yes host=h", "binary_parameters=yes host=h"},
		{"", "binary_parameters=yes"},
	}
	for _, tt := range tests {
		got, err := withBinaryParameters(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("withBinaryParameters(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := withBinaryParameters("postgres://u:secret@h:nope/db"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("bad URL: err = %v; want an error that does not quote the password", err)
	}
}

// TestReplicaConnectTimeout: the replica's DSN gets a connect timeout unless
// it sets its own, so a silent replica host cannot hold requests for minutes.
func TestReplicaConnectTimeout(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u@replica/db?sslmode=require":   "postgres://u@replica/db?sslmode=require&connect_timeout=2",
		"postgres://u@replica/db?connect_timeout=5": "postgres://u@replica/db?connect_timeout=5",
		"host=replica dbname=verity":                "host=replica dbname=verity connect_timeout=2",
		"host=replica connect_timeout=9":            "host=replica connect_timeout=9",
	} {
		if got, err := withOption(in, "connect_timeout", "2"); err != nil || got != want {
			t.Errorf("withOption(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := OpenReplica("postgres://u:secret@h:nope/db"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("bad URL: err = %v; want an error that does not quote the password", err)
	}
}

// TestOpenSendsBinaryParameters proves the option reaches lib/pq in both DSN
// forms. It shows through the one visible difference: a []byte argument is
// sent in binary, which jsonb cannot read (so pass JSON as a string).
func TestOpenSendsBinaryParameters(t *testing.T) {
	s, name := newDatabase(t)
	forms := map[string]string{
		"url":       s.URL(name),
		"key=value": fmt.Sprintf("host=%s port=%d user=postgres dbname=%s sslmode=disable", s.sockDir, s.port, name),
	}
	for form, dsn := range forms {
		t.Run(form, func(t *testing.T) {
			ctx := context.Background()
			var got string
			db := open(t, dsn)
			if err := db.GetContext(ctx, &got, `SELECT $1::jsonb::text`, `{"a": 1}`); err != nil || got != `{"a": 1}` {
				t.Errorf("string argument: %q, %v", got, err)
			}
			if err := db.GetContext(ctx, &got, `SELECT $1::jsonb::text`, []byte(`{"a": 1}`)); err == nil {
				t.Errorf("[]byte argument to jsonb worked, so it went as text: binary_parameters is not on")
			}
			// Without the option the same []byte goes as text and works: the
			// check above can tell the two apart.
			plain, err := sqlx.Open("postgres", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer plain.Close()
			if err := plain.GetContext(ctx, &got, `SELECT $1::jsonb::text`, []byte(`{"a": 1}`)); err != nil {
				t.Errorf("plain lib/pq: %v", err)
			}
		})
	}
}

func TestOpenFailsFastOnABadServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://postgres@/x?host=%2Fnonexistent-verity-socket&sslmode=disable")
	if err == nil || !strings.Contains(err.Error(), "connect to PostgreSQL") {
		t.Fatalf("err = %v; want a connect error", err)
	}
}

func TestWithTx(t *testing.T) {
	s, name := newDatabase(t)
	db := open(t, s.URL(name))
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE items (v text)`); err != nil {
		t.Fatal(err)
	}
	insert := func(v string) func(*sqlx.Tx) error {
		return func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO items VALUES ($1)`, v)
			return err
		}
	}
	count := func(v string) (n int) {
		if err := db.GetContext(ctx, &n, `SELECT count(*) FROM items WHERE v = $1`, v); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("OK", func(t *testing.T) {
		if err := WithTx(ctx, db, insert("committed")); err != nil || count("committed") != 1 {
			t.Fatalf("err %v, count %d; want the row committed", err, count("committed"))
		}
	})
	t.Run("ErrRollsBack", func(t *testing.T) {
		errBoom := errors.New("boom")
		err := WithTx(ctx, db, func(tx *sqlx.Tx) error {
			if err := insert("failed")(tx); err != nil {
				return err
			}
			return fmt.Errorf("later step: %w", errBoom)
		})
		if !errors.Is(err, errBoom) || count("failed") != 0 {
			t.Fatalf("err %v, count %d; want errBoom and no row", err, count("failed"))
		}
	})
	t.Run("PanicRollsBack", func(t *testing.T) {
		func() {
			defer func() { _ = recover() }()
			_ = WithTx(ctx, db, func(tx *sqlx.Tx) error {
				_ = insert("panicked")(tx)
				panic("boom")
			})
		}()
		if count("panicked") != 0 {
			t.Fatal("the row of a panicking transaction was committed")
		}
		if err := WithTx(ctx, db, insert("after")); err != nil { // the pool is still usable
			t.Fatal(err)
		}
	})
}

func TestIsUniqueViolation(t *testing.T) {
	s, name := newDatabase(t)
	db := open(t, s.URL(name))
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE people (email text NOT NULL CONSTRAINT people_email_key UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO people VALUES ($1)`, "a@example.com"); err != nil {
		t.Fatal(err)
	}
	_, dup := db.ExecContext(ctx, `INSERT INTO people VALUES ($1)`, "a@example.com")
	_, notNull := db.ExecContext(ctx, `INSERT INTO people VALUES (NULL)`)

	tests := []struct {
		name      string
		err       error
		wantOK    bool
		wantConst string
	}{
		{"Duplicate", dup, true, "people_email_key"},
		{"Wrapped", fmt.Errorf("store: %w", dup), true, "people_email_key"},
		{"OtherConstraint", notNull, false, ""},
		{"NotPostgres", errors.New("nope"), false, ""},
		{"Nil", nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			constraint, ok := IsUniqueViolation(tt.err)
			if ok != tt.wantOK || constraint != tt.wantConst {
				t.Errorf("IsUniqueViolation(%v) = %q, %v; want %q, %v", tt.err, constraint, ok, tt.wantConst, tt.wantOK)
			}
		})
	}
}

func TestMigrateNamesTheFailingMigration(t *testing.T) {
	s, name := newDatabase(t)
	db := open(t, s.URL(name))
	fsys := fstest.MapFS{
		"00001_ok.sql":     {Data: []byte("-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n")},
		"00002_broken.sql": {Data: []byte("-- +goose Up\nCREATE TABLE b (id nosuchtype);\n-- +goose Down\nDROP TABLE b;\n")},
	}
	err := migrateFS(context.Background(), db.DB, fsys)
	if err == nil || !strings.Contains(err.Error(), "00002_broken.sql") {
		t.Fatalf("err = %v; want it to name 00002_broken.sql", err)
	}
	var version int64
	if err := db.Get(&version, `SELECT max(version_id) FROM goose_db_version`); err != nil || version != 1 {
		t.Fatalf("version = %d, %v; want 1 (the good migration kept, the broken one rolled back)", version, err)
	}
}

// TestMigrateFromSeveralProcessesAtOnce starts migrations on one database
// from separate pools at the same moment, as instances starting together
// do: on a fresh database (Verity's own migrations), and on one that is one
// version behind, where a slow pending migration makes them overlap — without
// the advisory lock every instance would run it ("already exists").
func TestMigrateFromSeveralProcessesAtOnce(t *testing.T) {
	first := fstest.MapFS{"00001_first.sql": {Data: []byte("-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n")}}
	behind := fstest.MapFS{
		"00001_first.sql": first["00001_first.sql"],
		"00002_slow.sql":  {Data: []byte("-- +goose Up\nSELECT pg_sleep(0.5);\nCREATE TABLE b (id int);\n-- +goose Down\nDROP TABLE b;\n")},
		"00003_next.sql":  {Data: []byte("-- +goose Up\nCREATE TABLE c (id int);\n-- +goose Down\nDROP TABLE c;\n")},
	}
	for _, tc := range []struct {
		name        string
		before, run fs.FS
	}{{"fresh", nil, migrations.FS}, {"one version behind", first, behind}} {
		t.Run(tc.name, func(t *testing.T) {
			s, dbname := newDatabase(t)
			db := open(t, s.URL(dbname))
			if tc.before != nil {
				if err := migrateFS(context.Background(), db.DB, tc.before); err != nil {
					t.Fatal(err)
				}
			}
			const instances = 3
			start := make(chan struct{})
			errs := make(chan error, instances)
			for range instances {
				pool := open(t, s.URL(dbname))
				go func() {
					<-start
					errs <- migrateFS(context.Background(), pool.DB, tc.run)
				}()
			}
			close(start)
			for range instances {
				if err := <-errs; err != nil {
					t.Fatalf("an instance failed to migrate: %v", err)
				}
			}
			var rows, versions int
			if err := db.QueryRow(`SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&rows, &versions); err != nil {
				t.Fatal(err)
			}
			if rows != versions {
				t.Fatalf("goose_db_version has %d rows for %d versions: a migration ran twice", rows, versions)
			}
		})
	}
}

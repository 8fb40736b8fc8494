// Package pgtest gives each test its own fresh, migrated PostgreSQL database,
// so tests run against the real thing, in parallel, without seeing each
// other's rows — and never skip for want of a database.
//
// The server is TEST_DATABASE_URL when set (a superuser connection; test
// databases and a template are created there and dropped after passing
// tests), else one throwaway cluster per test binary, started from the
// PostgreSQL binaries on the machine on tmpfs with durability off. A package
// using it calls Main from its TestMain so that cluster is stopped and
// removed:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Databases are cloned from a template migrated once per migrations version
// (github.com/peterldowns/pgtestdb), which takes tens of milliseconds. Tests
// connect as pgtestdb's unprivileged role (NOSUPERUSER, owner of its
// database), like an application should.
package pgtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/peterldowns/pgtestdb"

	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/migrations"
)

// EnvURL names the variable that points the tests at an existing server.
const EnvURL = "TEST_DATABASE_URL"

// New returns a connection pool (postgres.Open's settings) to a new database
// holding the migrated schema and nothing else, for this test alone. The pool
// is closed, and the database dropped if the test passed, when it ends.
func New(t testing.TB) *sqlx.DB {
	t.Helper()
	dsn := NewURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() }) // runs before pgtestdb drops the database
	return db
}

// NewURL is New for tests that connect themselves (say, by starting the
// whole app with DATABASE_URL): the URL of a fresh migrated database, with
// binary_parameters=yes. Connections still open when the test ends are
// terminated before the database is dropped.
func NewURL(t testing.TB) string {
	t.Helper()
	base, err := baseConfig()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	conf := pgtestdb.Custom(t, base, migrator{})
	return configURL(*conf)
}

// Main runs the package's tests, then stops and removes the throwaway
// cluster if one was started. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	stopCluster()
	os.Exit(code)
}

var (
	baseOnce sync.Once
	base     pgtestdb.Config
	baseErr  error
)

// baseConfig is the server every test database is made on, found or
// started once per test binary.
func baseConfig() (pgtestdb.Config, error) {
	baseOnce.Do(func() {
		raw := os.Getenv(EnvURL)
		if raw == "" {
			if raw, baseErr = startCluster(); baseErr != nil {
				return
			}
		}
		base, baseErr = configFromURL(raw)
	})
	return base, baseErr
}

// configFromURL turns a lib/pq URL into pgtestdb's pieces. A unix socket
// travels in the options (host=/dir), since pgtestdb writes its own URL as
// postgres://user:password@host:port/db?options.
func configFromURL(raw string) (pgtestdb.Config, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return pgtestdb.Config{}, fmt.Errorf("%s must be a URL like postgres://user:password@host:5432/postgres?sslmode=disable", EnvURL)
	}
	q := u.Query()
	if !q.Has("binary_parameters") {
		q.Set("binary_parameters", "yes") // as postgres.Open does: the template is migrated this way too
	}
	conf := pgtestdb.Config{
		DriverName: "postgres",
		Host:       u.Hostname(),
		Port:       u.Port(),
		Database:   strings.TrimPrefix(u.Path, "/"),
		Options:    q.Encode(),
		// A test that leaves connections open (an app it started, say) must
		// not make the drop fail.
		ForceTerminateConnections: true,
	}
	if conf.Database == "" {
		conf.Database = "postgres"
	}
	if u.User != nil {
		// pgtestdb pastes these into its URL as they are: keep them escaped.
		conf.User = url.User(u.User.Username()).String()
		if pw, ok := u.User.Password(); ok {
			conf.Password = strings.TrimPrefix(url.UserPassword("", pw).String(), ":")
		}
	}
	return conf, nil
}

// configURL writes the URL of a test database without pgtestdb's empty
// "@:" for socket connections.
func configURL(c pgtestdb.Config) string {
	host := c.Host
	if c.Port != "" {
		host += ":" + c.Port
	}
	return "postgres://" + c.User + ":" + c.Password + "@" + host + "/" + url.PathEscape(c.Database) + "?" + c.Options
}

// migrator builds pgtestdb's template with the app's own migrations.
type migrator struct{}

// hashOnce caches the hash: the embedded files cannot change while we run.
var hashOnce = sync.OnceValues(func() (string, error) { return hashFS(migrations.FS) })

// Hash names the template after the migrations' names and contents, so a
// changed migration gets a new template instead of a stale one.
func (migrator) Hash() (string, error) { return hashOnce() }

// Migrate runs the migrations exactly as the app does.
func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	return postgres.Migrate(ctx, db)
}

// hashFS hashes every file's path and contents, in lexical order.
func hashFS(fsys fs.FS) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "verity-goose-v1\n")
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash the migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

package pgtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/postgres"
)

// Replicated is a private primary with a streaming replica of it, for tests
// of what reads from a replica. Unlike New's databases it is a pair of
// servers of its own (a few seconds to start), stopped when the test ends.
type Replicated struct {
	Primary, Replica *postgres.Server
	// DB and ReadDB are pools on the migrated database "verity" of each.
	DB, ReadDB *sqlx.DB
}

// NewReplicated starts the pair, migrates the primary and waits until the
// replica accepts read-only connections.
func NewReplicated(t testing.TB) *Replicated {
	t.Helper()
	dir, err := os.MkdirTemp(clusterParent(), fmt.Sprintf("%s%d-", dirPrefix, os.Getpid()))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o711); err != nil { // the server may run as another user
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := &Replicated{}
	if r.Primary, err = postgres.StartServer(ctx, postgres.ServerOptions{DataDir: filepath.Join(dir, "primary"), Ephemeral: true}); err != nil {
		t.Fatalf("pgtest: start the primary: %v", err)
	}
	t.Cleanup(func() { _ = r.Primary.Stop() })
	if err := r.Primary.EnsureDatabase(ctx, "verity"); err != nil {
		t.Fatal(err)
	}
	if r.DB, err = postgres.Open(ctx, r.Primary.URL("verity")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.DB.Close() })
	if err := postgres.Migrate(ctx, r.DB.DB); err != nil {
		t.Fatal(err)
	}
	if r.Replica, err = r.Primary.StartStandby(ctx, postgres.StandbyOptions{DataDir: filepath.Join(dir, "replica"), Ephemeral: true}); err != nil {
		t.Fatalf("pgtest: start the replica: %v", err)
	}
	t.Cleanup(func() { _ = r.Replica.Stop() })
	if r.ReadDB, err = postgres.Open(ctx, r.Replica.URL("verity")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.ReadDB.Close() })
	return r
}

// CaughtUp waits until the replica has replayed everything the primary had
// written when it was called.
func (r *Replicated) CaughtUp(t testing.TB) {
	t.Helper()
	// The test server commits asynchronously: one synchronous commit that
	// writes flushes every earlier one, and the write position covers them.
	if _, err := r.DB.Exec(`CREATE TABLE IF NOT EXISTS pgtest_flush (at timestamptz)`); err != nil {
		t.Fatal(err)
	}
	tx, err := r.DB.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	var lsn string
	for _, q := range []string{`SET LOCAL synchronous_commit = on`, `INSERT INTO pgtest_flush VALUES (now())`} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := r.DB.Get(&lsn, `SELECT pg_current_wal_lsn()::text`); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var ok bool
		if err := r.ReadDB.Get(&ok, `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, lsn); err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
	}
	t.Fatalf("pgtest: the replica did not replay up to %s within 30 s", lsn)
}

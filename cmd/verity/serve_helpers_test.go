package main

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/pgtest"
)

// serveSetup gives a test that runs `verity serve` as a process of its own a
// fresh database (its URL and a connection) and the binary built from this
// package.
func serveSetup(t *testing.T) (url string, db *sqlx.DB, bin string) {
	t.Helper()
	url = pgtest.NewURL(t)
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	bin = filepath.Join(t.TempDir(), "verity")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return url, db, bin
}

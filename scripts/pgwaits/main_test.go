package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The sampler counts only the named application's connections and tells a
// connection waiting for its client inside a transaction from one waiting
// on a lock and from one idle between transactions.
func TestSampleTellsWhatTheConnectionsWait(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	open := func(app string) *sql.Conn {
		db, err := sql.Open("postgres", dsn+"&application_name="+app)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	holder, waiter, idle, other := open("floor-test"), open("floor-test"), open("floor-test"), open("someone-else")
	for _, c := range []*sql.Conn{idle, other} {
		if _, err := c.ExecContext(ctx, `SELECT 1`); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := holder.ExecContext(ctx, `BEGIN; SELECT pg_advisory_xact_lock(4242)`); err != nil {
		t.Fatal(err)
	}
	go waiter.ExecContext(ctx, `SELECT pg_advisory_lock(4242)`) //nolint:errcheck // ends when the holder rolls back
	sampler, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer sampler.Close()
	var waiting bool
	for i := 0; i < 500 && !waiting; i++ { // until the waiter is seen waiting
		if err := sampler.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock')`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	n := 0
	counts, samples, seen, err := sample(sampler, "floor-test", time.Millisecond, func() bool { n++; return n > 5 })
	if _, rerr := holder.ExecContext(ctx, `ROLLBACK`); rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if samples != 5 || seen != 15 {
		t.Fatalf("%d samples of %d connections, want 5 of 3 each: %v", samples, seen, counts)
	}
	want := map[string]int{
		"idle in transaction (waiting for the client between statements)": 5,
		"active, waiting Lock:advisory":                                   5,
		"idle (no transaction open)":                                      5,
	}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("%q: %d samples, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("labels %v, want only %s", counts, strings.Join([]string{"idle in transaction", "Lock:advisory", "idle"}, ", "))
	}
}

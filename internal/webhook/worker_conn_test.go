package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/webhook"
)

// The worker runs its rounds on a connection of its own (its settings set
// once, one round trip per round): it shows in pg_stat_activity under its
// name; when that connection is killed, the worker opens another and goes
// on delivering; and when the worker stops, the connection is closed rather
// than handed back to the pool with the rounds' settings.
func TestWorkerRunsOnItsOwnConnection(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.endpoint(rc.URL)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { defer close(done); e.wh.Run(ctx, nilLogger()) }()
	stopped := false
	defer func() {
		if !stopped {
			cancel()
			<-done
		}
	}()
	workers := func() []int {
		var pids []int
		if err := e.db.SelectContext(e.ctx, &pids, `SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid`,
			webhook.WorkerApplicationName); err != nil {
			t.Fatal(err)
		}
		return pids
	}
	delivered := func(want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for e.count(`SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'`) < want {
			if time.Now().After(deadline) {
				t.Fatalf("%d deliveries recorded, want %d", len(rc.all()), want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	e.create(admin)
	delivered(1)
	first := workers()
	if len(first) != 1 {
		t.Fatalf("worker connections %v, want one", first)
	}
	var seq string
	if err := e.db.GetContext(e.ctx, &seq, `SHOW enable_seqscan`); err != nil || seq != "on" {
		t.Fatalf("a pooled connection has enable_seqscan %q (%v), want on", seq, err)
	}
	if _, err := e.db.ExecContext(e.ctx, `SELECT pg_terminate_backend($1)`, first[0]); err != nil {
		t.Fatal(err)
	}
	e.create(admin)
	delivered(2)
	if again := workers(); len(again) != 1 || again[0] == first[0] {
		t.Fatalf("worker connections %v after %d was killed, want one new one", again, first[0])
	}
	cancel()
	<-done
	stopped = true
	deadline := time.Now().Add(5 * time.Second)
	for len(workers()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the worker's connection %v outlived the worker", workers())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

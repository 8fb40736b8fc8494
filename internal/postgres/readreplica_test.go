package postgres

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseLSN(t *testing.T) {
	for in, want := range map[string]uint64{"0/0": 0, "16/B374D848": 0x16<<32 | 0xB374D848, " 1/1 ": 1<<32 | 1} {
		if got, err := parseLSN(in); err != nil || got != want {
			t.Errorf("parseLSN(%q) = %x, %v; want %x", in, got, err, want)
		}
	}
	for _, in := range []string{"", "16", "x/1", "1/"} {
		if _, err := parseLSN(in); err == nil {
			t.Errorf("parseLSN(%q): no error", in)
		}
	}
}

// syncBuffer is a log the watcher writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// until checks r until its status satisfies ok, failing after 30 s (a bound
// on a hung test, not a timing assertion).
func until(t *testing.T, r *ReadReplica, what string, ok func(ReplicaStatus) bool) ReplicaStatus {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r.Check(context.Background())
		if st := r.Status(); ok(st) {
			return st
		}
	}
	t.Fatalf("the replica never became %s; last status %+v", what, r.Status())
	return ReplicaStatus{}
}

// TestReadReplicaFollowsTheStandby: a caught-up standby is usable; one whose
// replay is paused while the primary writes becomes unusable once it is
// further behind than MaxLag, and usable again when it catches up; a stopped
// one is unusable with a warning in the log; the primary itself is refused.
func TestReadReplicaFollowsTheStandby(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	primary := startServer(t, filepath.Join(dir, "p"))
	standby, err := primary.StartStandby(ctx, StandbyOptions{DataDir: filepath.Join(dir, "s"), Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = standby.Stop() })
	pdb, sdb := open(t, primary.URL("postgres")), open(t, standby.URL("postgres"))
	logs := &syncBuffer{}
	r := NewReadReplica(pdb, sdb, ReplicaOptions{MaxLag: 300 * time.Millisecond, Every: 50 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(logs, nil))})
	if r.Usable() {
		t.Fatal("usable before the first check")
	}
	until(t, r, "usable", func(st ReplicaStatus) bool { return st.Usable })

	if _, err := sdb.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	if _, err := pdb.Exec(`CREATE TABLE written_after_pause (n int)`); err != nil {
		t.Fatal(err)
	}
	until(t, r, "unusable as lagging while paused", func(st ReplicaStatus) bool {
		return !st.Usable && (strings.Contains(st.Reason, "lagging") || strings.Contains(st.Reason, "catching up"))
	})
	if _, err := sdb.Exec(`SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	until(t, r, "usable after catching up", func(st ReplicaStatus) bool { return st.Usable })

	if err := standby.Stop(); err != nil {
		t.Fatal(err)
	}
	st := until(t, r, "unusable when stopped", func(st ReplicaStatus) bool { return !st.Usable })
	if !strings.HasPrefix(st.Reason, "unreachable") {
		t.Fatalf("reason when stopped: %q", st.Reason)
	}
	if !strings.Contains(logs.String(), "read replica unusable") {
		t.Fatalf("no warning logged:\n%s", logs.String())
	}

	self := NewReadReplica(pdb, pdb, ReplicaOptions{Log: slog.New(slog.NewTextHandler(logs, nil))})
	self.Check(ctx)
	if st := self.Status(); st.Usable || !strings.Contains(st.Reason, "not a standby") {
		t.Fatalf("the primary as its own replica: %+v", st)
	}
}

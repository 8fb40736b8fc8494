package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// ReplicaOptions tune how a read replica is watched.
type ReplicaOptions struct {
	// MaxLag is the most the replica may be behind the primary and still be
	// read from; DefaultReplicaMaxLag when 0.
	MaxLag time.Duration
	// Every is how often it is checked; DefaultReplicaCheck when 0.
	Every time.Duration
	Log   *slog.Logger // warnings when it becomes unusable; nil: slog.Default()
}

// Defaults of ReplicaOptions (DATABASE_READ_MAX_LAG overrides MaxLag).
const (
	DefaultReplicaMaxLag = 2 * time.Second
	DefaultReplicaCheck  = time.Second
)

// ReplicaStatus is what the last check found.
type ReplicaStatus struct {
	Usable bool
	// Lag bounds how far behind the primary the replica was at the check:
	// it had replayed everything the primary had written Lag ago.
	Lag    time.Duration
	Reason string // why it is not usable ("" when it is)
}

// ReadReplica watches a streaming replica and says whether reads may go to
// it. It never trusts the replica's own clocks: every check it samples the
// primary's WAL position, and the replica's lag is the age of the newest
// sample it has replayed. Down, promoted or too far behind, it is unusable
// and readers use the primary.
type ReadReplica struct {
	primary, replica *sqlx.DB
	opts             ReplicaOptions

	mu      sync.Mutex
	status  ReplicaStatus
	samples []walSample // primary WAL positions, oldest first
}

type walSample struct {
	at  time.Time
	lsn uint64
}

// NewReadReplica starts unusable until the first check; call Run.
func NewReadReplica(primary, replica *sqlx.DB, opts ReplicaOptions) *ReadReplica {
	if opts.MaxLag <= 0 {
		opts.MaxLag = DefaultReplicaMaxLag
	}
	if opts.Every <= 0 {
		opts.Every = DefaultReplicaCheck
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &ReadReplica{primary: primary, replica: replica, opts: opts,
		status: ReplicaStatus{Reason: "not checked yet"}}
}

// DB is the replica's pool.
func (r *ReadReplica) DB() *sqlx.DB { return r.replica }

// MaxStale is the most a read from the replica can miss: the lag allowed at
// a check plus the time until the next one.
func (r *ReadReplica) MaxStale() time.Duration { return r.opts.MaxLag + r.opts.Every }

// Usable tells whether reads may go to the replica now.
func (r *ReadReplica) Usable() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status.Usable
}

// Status is the last check's finding.
func (r *ReadReplica) Status() ReplicaStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// Run checks the replica now and then every opts.Every until ctx ends.
func (r *ReadReplica) Run(ctx context.Context) {
	t := time.NewTicker(r.opts.Every)
	defer t.Stop()
	for {
		r.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check samples both servers once and updates the status, logging a
// warning when the replica becomes unusable and a line when it is back.
func (r *ReadReplica) Check(ctx context.Context) {
	st := r.check(ctx)
	if ctx.Err() != nil {
		return
	}
	r.mu.Lock()
	was := r.status
	r.status = st
	r.mu.Unlock()
	switch {
	case was.Usable && !st.Usable:
		r.opts.Log.Warn("read replica unusable: reading from the primary", "reason", st.Reason)
	case !was.Usable && st.Usable:
		r.opts.Log.Info("read replica in use", "lag", st.Lag.String())
	case !was.Usable && was.Reason == "not checked yet":
		r.opts.Log.Warn("read replica unusable: reading from the primary", "reason", st.Reason)
	}
}

func (r *ReadReplica) check(ctx context.Context) ReplicaStatus {
	// A check slower than a second finds the replica (or the primary) too
	// slow to trust, whatever the interval.
	ctx, cancel := context.WithTimeout(ctx, max(r.opts.Every, time.Second))
	defer cancel()
	var primaryLSN string
	if err := r.primary.GetContext(ctx, &primaryLSN, `SELECT pg_current_wal_lsn()::text`); err != nil {
		return ReplicaStatus{Reason: "cannot read the primary's WAL position: " + err.Error()}
	}
	now := time.Now()
	p, err := parseLSN(primaryLSN)
	if err != nil {
		return ReplicaStatus{Reason: err.Error()}
	}
	r.remember(walSample{at: now, lsn: p})
	var row struct {
		Recovery bool   `db:"recovery"`
		Replayed string `db:"replayed"`
	}
	if err := r.replica.GetContext(ctx, &row, replicaPositionSQL); err != nil {
		return ReplicaStatus{Reason: "unreachable: " + err.Error()}
	}
	if !row.Recovery {
		return ReplicaStatus{Reason: "not a standby (pg_is_in_recovery() is false): promoted, or the wrong server"}
	}
	replayed, err := parseLSN(row.Replayed)
	if err != nil {
		return ReplicaStatus{Reason: err.Error()}
	}
	lag, ok := r.lag(replayed, time.Now())
	switch {
	case !ok:
		return ReplicaStatus{Reason: "catching up: behind every primary position sampled in the last " + r.window().String()}
	case lag > r.opts.MaxLag:
		return ReplicaStatus{Lag: lag, Reason: fmt.Sprintf("lagging %s behind the primary (at most %s allowed)", lag.Round(time.Millisecond), r.opts.MaxLag)}
	}
	return ReplicaStatus{Usable: true, Lag: lag}
}

// replicaPositionSQL: is it a standby, and how far has it replayed.
const replicaPositionSQL = `SELECT pg_is_in_recovery() AS recovery, coalesce(pg_last_wal_replay_lsn()::text, '0/0') AS replayed`

// window is how long primary samples are kept: past it the lag is too
// large anyway.
func (r *ReadReplica) window() time.Duration { return r.opts.MaxLag + 2*r.opts.Every }

func (r *ReadReplica) remember(s walSample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, s)
	cut := 0
	for cut < len(r.samples)-1 && s.at.Sub(r.samples[cut].at) > r.window() {
		cut++
	}
	r.samples = r.samples[cut:]
}

// lag is now minus the time of the newest primary sample the replica has
// replayed; ok is false when it has replayed none of them.
func (r *ReadReplica) lag(replayed uint64, now time.Time) (time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.samples) - 1; i >= 0; i-- {
		if r.samples[i].lsn <= replayed {
			if i == len(r.samples)-1 {
				return 0, true // caught up with the latest sample
			}
			return now.Sub(r.samples[i].at), true
		}
	}
	return 0, false
}

// parseLSN reads PostgreSQL's "16/B374D848" notation.
func parseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(strings.TrimSpace(s), "/")
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, fmt.Errorf("not a WAL position: %q", s)
	}
	return h<<32 | l, nil
}

package auth

import (
	"context"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/internal/validate"
)

// Sign-in throttling (docs/web.md, "Sessions and sign-in"). Every attempt is
// a row in signin_failures from the moment it starts; a successful one is
// deleted again. Three counts are read from those rows:
//
//   - per (account, IP address): pairMaxFailures within pairWindow, then that
//     address may not try that account until the oldest leaves the window;
//   - per IP address: ipMaxFailures within ipWindow, whatever the accounts;
//   - per account, from everywhere: after accountFreeFailures within
//     accountWindow each further attempt must wait a back-off that doubles
//     with every failure, up to accountMaxBackoff, after the account's latest
//     one. This is the slow global cap on guessing one password from many
//     addresses; it delays the owner by at most accountMaxBackoff and never
//     locks them out.
const (
	pairMaxFailures     = 5
	pairWindow          = 15 * time.Minute
	ipMaxFailures       = 20
	ipWindow            = 15 * time.Minute
	accountFreeFailures = 10
	accountWindow       = time.Hour
	accountBackoffBase  = time.Second
	accountMaxBackoff   = time.Minute
	// Rows older than the longest window are deleted, at most once per
	// pruneEvery per process.
	throttleKeep = accountWindow
	pruneEvery   = 5 * time.Minute
)

// throttle keeps its counts in PostgreSQL, so every instance shares them,
// they survive restarts and no amount of junk evicts a counter.
type throttle struct {
	db        *sqlx.DB
	lastPrune atomic.Int64 // unix seconds
}

func newThrottle(db *sqlx.DB) *throttle { return &throttle{db: db} }

// throttleAccount is the account part of a counter: the e-mail as typed,
// lower-cased and clipped (no account has a longer one).
func throttleAccount(email string) string {
	return clip(strings.ToLower(strings.TrimSpace(email)), validate.MaxEmail)
}

func throttleIP(ip string) string { return clip(ip, 64) }

// lockKeys are the advisory locks that serialise the attempts sharing a
// counter, in a fixed order so two attempts never wait on each other in a
// circle.
func lockKeys(account, ip string) []int64 {
	keys := make([]int64, 0, 3)
	for _, k := range []string{"pair\x00" + account + "\x00" + ip, "ip\x00" + ip, "account\x00" + account} {
		h := fnv.New64a()
		h.Write([]byte("verity signin\x00" + k))
		keys = append(keys, int64(h.Sum64()))
	}
	slices.Sort(keys)
	return keys
}

const lockThrottleSQL = `SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k`

// The three counts in one pass over the account's and the address's rows
// since $3, $4 and $5 (the starts of the pair's, the address's and the
// account's windows). $6 and $7 pick the limit-th newest attempt of the pair
// and of the address: when a limit is reached, that one leaving its window
// frees it.
const throttleCountsSQL = `
SELECT count(*) FILTER (WHERE account = $1 AND ip = $2 AND at > $3) AS pair_n,
       (array_agg(at ORDER BY at DESC) FILTER (WHERE account = $1 AND ip = $2 AND at > $3))[$6] AS pair_nth,
       count(*) FILTER (WHERE ip = $2 AND at > $4) AS ip_n,
       (array_agg(at ORDER BY at DESC) FILTER (WHERE ip = $2 AND at > $4))[$7] AS ip_nth,
       count(*) FILTER (WHERE account = $1) AS account_n,
       max(at) FILTER (WHERE account = $1) AS account_last
FROM signin_failures
WHERE at > $5 AND (account = $1 OR ip = $2)`

const chargeSQL = `INSERT INTO signin_failures (account, ip, at) VALUES ($1, $2, $3) RETURNING id`

type throttleCounts struct {
	PairN       int        `db:"pair_n"`
	PairNth     *time.Time `db:"pair_nth"`
	IPN         int        `db:"ip_n"`
	IPNth       *time.Time `db:"ip_nth"`
	AccountN    int        `db:"account_n"`
	AccountLast *time.Time `db:"account_last"`
}

// admit charges an attempt on account from ip at now, unless a limit refuses
// it: then nothing is charged and the error is a TooMany saying how long to
// wait. The attempt's row id is returned for forgive.
func (t *throttle) admit(ctx context.Context, now time.Time, account, ip string) (int64, error) {
	account, ip = throttleAccount(account), throttleIP(ip)
	var id int64
	var wait time.Duration
	err := postgres.WithTx(ctx, t.db, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, lockThrottleSQL, pq.Array(lockKeys(account, ip))); err != nil {
			return err
		}
		var c throttleCounts
		if err := tx.GetContext(ctx, &c, throttleCountsSQL, account, ip,
			now.Add(-pairWindow), now.Add(-ipWindow), now.Add(-accountWindow), pairMaxFailures, ipMaxFailures); err != nil {
			return err
		}
		if ip == "" { // unknown addresses are not one address
			c.IPN = 0
		}
		if wait = c.wait(now); wait > 0 {
			return nil
		}
		return tx.GetContext(ctx, &id, chargeSQL, account, ip, now)
	})
	if err != nil {
		return 0, err
	}
	if err := t.maybePrune(ctx, now); err != nil {
		return 0, err
	}
	if wait > 0 {
		return 0, tooManyAttempts(wait)
	}
	return id, nil
}

// wait is how long until an attempt may be made, 0 when it may now.
func (c throttleCounts) wait(now time.Time) time.Duration {
	var w time.Duration
	if c.PairN >= pairMaxFailures && c.PairNth != nil {
		w = max(w, c.PairNth.Add(pairWindow).Sub(now))
	}
	if c.IPN >= ipMaxFailures && c.IPNth != nil {
		w = max(w, c.IPNth.Add(ipWindow).Sub(now))
	}
	if c.AccountLast != nil {
		w = max(w, c.AccountLast.Add(accountBackoff(c.AccountN)).Sub(now))
	}
	return w
}

// accountBackoff is the wait after an account's latest attempt when it has
// had n within accountWindow: none for the first accountFreeFailures, then
// 1 s, 2 s, 4 s, … up to accountMaxBackoff.
func accountBackoff(n int) time.Duration {
	if n < accountFreeFailures {
		return 0
	}
	shift := n - accountFreeFailures
	if shift >= 16 {
		return accountMaxBackoff
	}
	return min(accountBackoffBase<<shift, accountMaxBackoff)
}

const forgiveSQL = `DELETE FROM signin_failures WHERE id = $1`

// forgive takes back one charged attempt that failed for reasons that were
// not the caller's (a database error, a busy hasher).
func (t *throttle) forgive(ctx context.Context, id int64) error {
	_, err := t.db.ExecContext(ctx, forgiveSQL, id)
	return err
}

const succeededSQL = `DELETE FROM signin_failures WHERE account = $1 AND ip = $2`

// succeeded clears a pair after a good sign-in: the owner's own typos from
// that address (and this attempt) no longer count anywhere. Failures from
// other addresses stay: they are someone else's.
func (t *throttle) succeeded(ctx context.Context, account, ip string) error {
	_, err := t.db.ExecContext(ctx, succeededSQL, throttleAccount(account), throttleIP(ip))
	return err
}

const pruneThrottleSQL = `DELETE FROM signin_failures WHERE at < $1`

// maybePrune deletes rows older than every window, at most once per
// pruneEvery per process, so the table stays small (an indexed delete of a
// few minutes' worth of failures).
func (t *throttle) maybePrune(ctx context.Context, now time.Time) error {
	last := t.lastPrune.Load()
	if now.Unix()-last < int64(pruneEvery/time.Second) || !t.lastPrune.CompareAndSwap(last, now.Unix()) {
		return nil
	}
	_, err := t.db.ExecContext(ctx, pruneThrottleSQL, now.Add(-throttleKeep))
	return err
}

// tooManyAttempts says how long to wait: seconds under a minute, else whole
// minutes rounded up. It is a 429 with Retry-After.
func tooManyAttempts(wait time.Duration) error {
	n, unit := int(math.Ceil(wait.Minutes())), "minutes"
	if wait < time.Minute {
		n, unit = max(int(math.Ceil(wait.Seconds())), 1), "seconds"
	}
	if n == 1 {
		unit = strings.TrimSuffix(unit, "s")
	}
	return apperr.TooMany("too_many_attempts", time.Duration(math.Ceil(wait.Seconds()))*time.Second,
		"too many failed sign-ins; please wait %d %s and try again", n, unit)
}

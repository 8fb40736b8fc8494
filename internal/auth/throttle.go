package auth

import (
	"strings"
	"sync"
	"time"
)

// Sign-in throttling: after maxFailures failed attempts within failureWindow,
// for one account or from one IP address, further attempts are refused until
// the oldest of them leaves the window.
const (
	maxFailures     = 5
	failureWindow   = 15 * time.Minute
	maxThrottleKeys = 10_000 // per process; a full table forgets the stalest keys
)

// accountKey and ipKey name the two counters an attempt is charged to.
func accountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }
func ipKey(ip string) string         { return "ip:" + ip }

// throttle counts recent attempts per key in memory. Counters are per
// process: with several instances an attacker gets maxFailures per instance,
// which still caps guessing at a handful per quarter hour. Every failure is
// also in the audit trail, so nothing is lost when a process restarts.
//
// An attempt is charged when it starts (admit), not when it fails, so a burst
// of concurrent guesses cannot all slip past the check while the first ones
// are still hashing; a successful attempt is handed back with forgive.
type throttle struct {
	mu      sync.Mutex
	limit   int
	window  time.Duration
	maxKeys int
	hits    map[string][]time.Time // oldest first, at most limit entries
}

func newThrottle(limit int, window time.Duration, maxKeys int) *throttle {
	return &throttle{limit: limit, window: window, maxKeys: maxKeys, hits: map[string][]time.Time{}}
}

// admit charges an attempt at now to every key, unless one of them already
// holds limit attempts within the window; then it charges none and returns
// how long until that key is free again.
func (t *throttle) admit(now time.Time, keys ...string) (at time.Time, wait time.Duration, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		h := t.recent(k, now)
		if len(h) >= t.limit {
			if w := h[len(h)-t.limit].Add(t.window).Sub(now); w > wait {
				wait = w
			}
		}
	}
	if wait > 0 {
		return time.Time{}, wait, false
	}
	for _, k := range keys {
		t.add(k, now)
	}
	return now, 0, true
}

// forgive takes back one attempt charged at at, for an attempt that succeeded
// (or broke for reasons that were not the caller's fault).
func (t *throttle) forgive(at time.Time, keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		h := t.hits[k]
		for i := len(h) - 1; i >= 0; i-- {
			if h[i].Equal(at) {
				h = append(h[:i], h[i+1:]...)
				break
			}
		}
		if len(h) == 0 {
			delete(t.hits, k)
		} else {
			t.hits[k] = h
		}
	}
}

// reset forgets every attempt of a key (an account after a good sign-in).
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.hits, key)
}

// recent prunes and returns a key's attempts inside the window.
func (t *throttle) recent(key string, now time.Time) []time.Time {
	h := t.hits[key]
	i := 0
	for i < len(h) && now.Sub(h[i]) >= t.window {
		i++
	}
	if i > 0 {
		h = h[i:]
		if len(h) == 0 {
			delete(t.hits, key)
		} else {
			t.hits[key] = h
		}
	}
	return h
}

// add appends an attempt, keeping the table within maxKeys: first by
// dropping keys with nothing inside the window, then the stalest key.
func (t *throttle) add(key string, now time.Time) {
	h, exists := t.hits[key]
	if !exists && len(t.hits) >= t.maxKeys {
		t.makeRoom(now)
	}
	h = append(h, now)
	if len(h) > t.limit {
		h = h[len(h)-t.limit:]
	}
	t.hits[key] = h
}

func (t *throttle) makeRoom(now time.Time) {
	var stalest string
	var stalestAt time.Time
	for k, h := range t.hits {
		last := h[len(h)-1]
		if now.Sub(last) >= t.window {
			delete(t.hits, k)
			continue
		}
		if stalest == "" || last.Before(stalestAt) {
			stalest, stalestAt = k, last
		}
	}
	if len(t.hits) >= t.maxKeys && stalest != "" {
		delete(t.hits, stalest)
	}
}

package auth

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/verity-kyb/verity/internal/apperr"
)

// Bounds on password hashing. One argon2id hash takes 19 MiB and a core for
// tens of milliseconds; unbounded, a few hundred concurrent anonymous
// sign-ins took 1.3 GB. At most hashSlots run at once (default: one per
// core); a request that cannot get a slot within hashWait is answered 503
// with Retry-After instead of queueing without end.
const (
	defaultHashWait  = 2 * time.Second
	hashBusyRetry    = 5 * time.Second
	codeHasherBusy   = "busy"
	msgHasherBusyFmt = "the server is busy checking passwords; please try again in a few seconds"
)

// hasher is the semaphore every password hash and verification of a
// Service passes through.
type hasher struct {
	slots chan struct{}
	wait  time.Duration
}

func newHasher(slots int, wait time.Duration) *hasher {
	if slots <= 0 {
		slots = runtime.GOMAXPROCS(0)
	}
	if wait <= 0 {
		wait = defaultHashWait
	}
	return &hasher{slots: make(chan struct{}, slots), wait: wait}
}

// acquire takes a slot, waiting at most h.wait; the caller must release it.
func (h *hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return apperr.Unavailable(codeHasherBusy, hashBusyRetry, msgHasherBusyFmt)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *hasher) release() { <-h.slots }

// hash is HashPassword inside a slot.
func (h *hasher) hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return HashPassword(password)
}

// verify is VerifyPassword inside a slot; a busy hasher is the error, with
// the hash's own problem (malformed) reported as before.
func (h *hasher) verify(ctx context.Context, encoded, password string) (match bool, busy, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, err, nil
	}
	defer h.release()
	match, err = VerifyPassword(encoded, password)
	return match, nil, err
}

// argonStats counts argon2 computations in flight across the process and
// the most ever seen at once; tests read it to prove the bound holds.
var argonStats = &argonCounter{}

type argonCounter struct {
	mu       sync.Mutex
	inFlight int
	peak     int
	total    int
}

func (c *argonCounter) begin() {
	c.mu.Lock()
	c.inFlight++
	c.total++
	c.peak = max(c.peak, c.inFlight)
	c.mu.Unlock()
}

func (c *argonCounter) end() {
	c.mu.Lock()
	c.inFlight--
	c.mu.Unlock()
}

// reset returns the peak and the total since the last reset, and starts over.
func (c *argonCounter) reset() (peak, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	peak, total = c.peak, c.total
	c.peak, c.total = c.inFlight, 0
	return peak, total
}

// HoldHashSlots takes every hashing slot until release is called (once or
// more), so a test can see what a saturated server answers. Production code
// never calls it.
func (s *Service) HoldHashSlots() (release func()) {
	n := cap(s.hasher.slots)
	for range n {
		s.hasher.slots <- struct{}{}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			for range n {
				<-s.hasher.slots
			}
		})
	}
}

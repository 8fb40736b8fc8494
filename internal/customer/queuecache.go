package customer

import (
	"context"
	"sync"
	"time"
)

// DefaultQueueCountTTL is how long `verity serve` reuses what every list
// page shows and every user shares: the Overdue and "Changed since approval"
// counts (each costs up to QueueCountLimit index reads) and the assignee
// choices. A tab count or a staff list a few seconds old is fine; the rows
// themselves, and each user's own Mine count, are always read fresh.
const DefaultQueueCountTTL = 5 * time.Second

// shared caches one value that is the same for every user for
// Options.QueueCountTTL (0: no cache, every request reads, as tests want).
type shared[T any] struct {
	mu      sync.Mutex
	expires time.Time
	value   T
}

// get returns the cached value, or reads it with fetch when the cache is off
// or stale. Concurrent callers during a refresh wait for one fetch; an error
// is not cached.
func (c *shared[T]) get(ctx context.Context, ttl time.Duration, now time.Time, fetch func(context.Context) (T, error)) (T, error) {
	if ttl <= 0 {
		return fetch(ctx)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Before(c.expires) {
		return c.value, nil
	}
	v, err := fetch(ctx)
	if err != nil {
		return v, err
	}
	c.value, c.expires = v, now.Add(ttl)
	return v, nil
}

// queueCounts are the cluster-wide queue counts. The overdue count depends
// on the SLA cut-off, which moves with the clock; a few seconds of drift are
// within the TTL's promise.
type queueCounts struct{ overdue, review int64 }

package customer

import (
	"context"
	"sync"
	"time"
)

// DefaultQueueCountTTL is how long `verity serve` reuses the Overdue and
// "Changed since approval" counts: the same for every user, each costs up to
// QueueCountLimit index reads, and every list page shows them. A tab count a
// few seconds old is fine; the rows themselves are always read fresh.
const DefaultQueueCountTTL = 5 * time.Second

// queueCounts caches the cluster-wide queue counts for Options.QueueCountTTL
// (0: no cache, every request counts, as tests want). The overdue count
// depends on the SLA cut-off, which moves with the clock; a few seconds of
// drift are within the TTL's promise.
type queueCounts struct {
	mu      sync.Mutex
	expires time.Time
	overdue int64
	review  int64
}

// get returns the cached counts, or counts them with fetch when the cache is
// off or stale. Concurrent callers during a refresh wait for one fetch.
func (q *queueCounts) get(ctx context.Context, ttl time.Duration, now time.Time,
	fetch func(context.Context) (overdue, review int64, err error)) (int64, int64, error) {
	if ttl <= 0 {
		return fetch(ctx)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if now.Before(q.expires) {
		return q.overdue, q.review, nil
	}
	o, r, err := fetch(ctx)
	if err != nil {
		return 0, 0, err
	}
	q.overdue, q.review, q.expires = o, r, now.Add(ttl)
	return o, r, nil
}

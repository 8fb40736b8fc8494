package customer

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestQueueCountsCache(t *testing.T) {
	ctx := context.Background()
	calls := 0
	fetch := func(context.Context) (int64, int64, error) { calls++; return int64(calls), int64(10 * calls), nil }
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

	t.Run("OffCountsEveryTime", func(t *testing.T) {
		var q queueCounts
		calls = 0
		q.get(ctx, 0, t0, fetch)
		if o, r, _ := q.get(ctx, 0, t0, fetch); o != 2 || r != 20 || calls != 2 {
			t.Fatalf("got %d %d after %d fetches, want 2 20 after 2", o, r, calls)
		}
	})
	t.Run("ReusedWithinTTLThenRefreshed", func(t *testing.T) {
		var q queueCounts
		calls = 0
		q.get(ctx, 5*time.Second, t0, fetch)
		if o, _, _ := q.get(ctx, 5*time.Second, t0.Add(4*time.Second), fetch); o != 1 || calls != 1 {
			t.Fatalf("within the TTL: %d after %d fetches, want 1 after 1", o, calls)
		}
		if o, _, _ := q.get(ctx, 5*time.Second, t0.Add(5*time.Second), fetch); o != 2 || calls != 2 {
			t.Fatalf("after the TTL: %d after %d fetches, want 2 after 2", o, calls)
		}
	})
	t.Run("ErrNotCached", func(t *testing.T) {
		var q queueCounts
		boom := errors.New("database down")
		if _, _, err := q.get(ctx, time.Minute, t0, func(context.Context) (int64, int64, error) { return 0, 0, boom }); !errors.Is(err, boom) {
			t.Fatalf("err %v", err)
		}
		calls = 0
		if o, _, err := q.get(ctx, time.Minute, t0, fetch); err != nil || o != 1 || calls != 1 {
			t.Fatalf("after an error: %d, %v, %d fetches", o, err, calls)
		}
	})
}

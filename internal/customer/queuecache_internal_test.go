package customer

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSharedCache(t *testing.T) {
	ctx := context.Background()
	calls := 0
	fetch := func(context.Context) (queueCounts, error) {
		calls++
		return queueCounts{int64(calls), int64(10 * calls)}, nil
	}
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

	t.Run("OffCountsEveryTime", func(t *testing.T) {
		var q shared[queueCounts]
		calls = 0
		q.get(ctx, 0, t0, fetch)
		if v, _ := q.get(ctx, 0, t0, fetch); v.overdue != 2 || v.review != 20 || calls != 2 {
			t.Fatalf("got %+v after %d fetches, want 2 20 after 2", v, calls)
		}
	})
	t.Run("ReusedWithinTTLThenRefreshed", func(t *testing.T) {
		var q shared[queueCounts]
		calls = 0
		q.get(ctx, 5*time.Second, t0, fetch)
		if v, _ := q.get(ctx, 5*time.Second, t0.Add(4*time.Second), fetch); v.overdue != 1 || calls != 1 {
			t.Fatalf("within the TTL: %+v after %d fetches, want 1 after 1", v, calls)
		}
		if v, _ := q.get(ctx, 5*time.Second, t0.Add(5*time.Second), fetch); v.overdue != 2 || calls != 2 {
			t.Fatalf("after the TTL: %+v after %d fetches, want 2 after 2", v, calls)
		}
	})
	t.Run("ErrNotCached", func(t *testing.T) {
		var q shared[queueCounts]
		boom := errors.New("database down")
		if _, err := q.get(ctx, time.Minute, t0, func(context.Context) (queueCounts, error) { return queueCounts{}, boom }); !errors.Is(err, boom) {
			t.Fatalf("err %v", err)
		}
		calls = 0
		if v, err := q.get(ctx, time.Minute, t0, fetch); err != nil || v.overdue != 1 || calls != 1 {
			t.Fatalf("after an error: %+v, %v, %d fetches", v, err, calls)
		}
	})
}

package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

	t.Run("ErrLimit/SlidingWindow", func(t *testing.T) {
		th := newThrottle(3, time.Minute, 100)
		for i := range 3 {
			if _, _, ok := th.admit(t0.Add(time.Duration(i)*10*time.Second), "k"); !ok {
				t.Fatalf("attempt %d refused", i+1)
			}
		}
		_, wait, ok := th.admit(t0.Add(30*time.Second), "k")
		if ok || wait != 30*time.Second {
			t.Fatalf("4th attempt: ok=%v wait=%v, want refused for 30s (until the first leaves the window)", ok, wait)
		}
		if _, _, ok := th.admit(t0.Add(time.Minute), "k"); !ok {
			t.Fatal("refused after the oldest attempt left the window")
		}
	})
	t.Run("OK/RefusalChargesNoKey", func(t *testing.T) {
		th := newThrottle(1, time.Minute, 100)
		th.admit(t0, "a")
		if _, _, ok := th.admit(t0, "a", "b"); ok {
			t.Fatal("admitted over the limit of a")
		}
		if _, _, ok := th.admit(t0, "b"); !ok {
			t.Fatal("b was charged for an attempt refused because of a")
		}
	})
	t.Run("OK/Forgive", func(t *testing.T) {
		th := newThrottle(2, time.Minute, 100)
		for range 5 {
			at, _, ok := th.admit(t0, "k")
			if !ok {
				t.Fatal("a forgiven attempt still counts")
			}
			th.forgive(at, "k")
		}
		if len(th.hits) != 0 {
			t.Fatalf("forgiven attempts left keys behind: %v", th.hits)
		}
	})
	t.Run("OK/Bounded", func(t *testing.T) {
		th := newThrottle(2, time.Minute, 50)
		th.admit(t0, "victim")
		th.admit(t0, "victim")
		for i := range 1000 {
			th.admit(t0.Add(time.Second), fmt.Sprintf("spray-%d", i))
		}
		if len(th.hits) > 50 {
			t.Fatalf("%d keys held, limit 50", len(th.hits))
		}
		// The stalest key goes first once the table is full.
		if _, ok := th.hits["victim"]; ok {
			t.Fatal("the stalest key was kept while the table overflowed")
		}
		th.admit(t0.Add(2*time.Minute), "fresh") // everything else expired: swept
		if len(th.hits) != 1 {
			t.Fatalf("%d keys after expiry, want 1", len(th.hits))
		}
	})
}

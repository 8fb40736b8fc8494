package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The benchmark's receiver counts each event once by its eventId, counts
// repeats apart, and measures each event's lag from its timestamp.
func TestSinkCountsEventsAndRepeats(t *testing.T) {
	s, err := startSink()
	if err != nil {
		t.Fatal(err)
	}
	defer s.srv.Close()
	at := time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano)
	post := func(id string) {
		t.Helper()
		body := `{"event":"platform:accounts:customer:data-updated","eventId":"` + id + `","timestamp":"` + at +
			`","data":{"description":"` + strings.Repeat("x", 3000) + `"}}`
		res, err := http.Post(s.url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
	}
	post("0193a1b2-0000-7000-8000-000000000001")
	post("0193a1b2-0000-7000-8000-000000000002")
	post("0193a1b2-0000-7000-8000-000000000001")
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lag) != 2 || s.dups != 1 {
		t.Fatalf("%d events, %d repeats; want 2 and 1", len(s.lag), s.dups)
	}
	for _, l := range s.lag {
		if l < time.Second || l > time.Minute {
			t.Fatalf("lag %v, want about a second", l)
		}
	}
}

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/seed"
	"github.com/verity-kyb/verity/internal/webhook"
)

// kill -9 of `verity serve` with events pending and some in flight: after a
// restart every event is delivered — none lost — and the only duplicates are
// deliveries the killed process had claimed but not recorded.
func TestWebhooksSurviveKill9(t *testing.T) {
	url, db, bin := serveSetup(t)

	// the receiver counts every complete arrival by eventId; the 10th
	// hangs (in flight when the server is killed)
	var mu sync.Mutex
	arrivals := map[string]int{}
	total := 0
	tenth := make(chan struct{})
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// a request cut short by the kill is no delivery: its sender got
		// no answer, and a real receiver could not verify its signature
		var env webhook.Envelope
		b, err := io.ReadAll(r.Body)
		if err == nil {
			err = json.Unmarshal(b, &env)
		}
		if err != nil {
			http.Error(w, "incomplete request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		arrivals[env.EventID.String()]++
		total++
		n := total
		mu.Unlock()
		if n == 10 {
			close(tenth)
			time.Sleep(3 * time.Second)
		}
	}))
	t.Cleanup(rc.Close)

	wh := webhook.NewService(db, webhook.Options{AllowPrivate: true})
	u := rc.URL + "/hook"
	admin := access.Actor{Kind: access.ActorSystem, Name: "test", Role: access.RoleAdmin}
	if _, _, err := wh.Create(t.Context(), admin, webhook.Input{URL: &u, Events: []string{customer.EventCreated}}); err != nil {
		t.Fatal(err)
	}
	const events = 40
	cs := customer.NewService(db, customer.Options{VerifyBaseURL: "https://verify.test", Events: wh})
	if _, err := seed.CustomersWithSeed(t.Context(), cs, events, 7); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.Get(&n, q); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'`); n != events {
		t.Fatalf("%d pending deliveries, want %d", n, events)
	}

	dataDir := t.TempDir()
	serve := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "ADDR=127.0.0.1:0", "DATA_DIR="+dataDir,
			"VERITY_ENV=development", "WEBHOOK_ALLOW_PRIVATE=true", "LOG_LEVEL=error")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	first := serve()
	select {
	case <-tenth:
	case <-time.After(30 * time.Second):
		_ = first.Process.Kill()
		t.Fatal("no deliveries within 30 s")
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	// the killed process's claims: pending, leased, attempted
	inFlight := count(`SELECT count(*) FROM webhook_deliveries WHERE state = 'pending' AND attempts > 0`)
	left := count(`SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'`)
	if left == 0 || inFlight == 0 {
		t.Fatalf("nothing was left to deliver after the kill (%d pending, %d in flight)", left, inFlight)
	}

	second := serve()
	deadline := time.Now().Add(60 * time.Second)
	for count(`SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'`) < events && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Fatalf("serve did not stop cleanly on SIGTERM: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	dups := total - len(arrivals)
	t.Logf("%d events, %d pending at the kill, %d of them claimed by the killed process; %d arrivals, %d duplicates",
		events, left, inFlight, total, dups)
	if len(arrivals) != events || count(`SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'`) != events {
		t.Fatalf("%d of %d events reached the receiver", len(arrivals), events)
	}
	if dups > inFlight {
		t.Fatalf("%d duplicates, but only %d deliveries were in flight", dups, inFlight)
	}
}

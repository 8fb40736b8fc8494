package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/seed"
	"github.com/verity-kyb/verity/internal/webhook"
)

// WEBHOOK_WORKER=off: a serve process with deliveries due serves requests
// and stops without trying any of them (another instance delivers).
func TestServeWithWebhookWorkerOff(t *testing.T) {
	url, db, bin := serveSetup(t)
	var hits atomic.Int64
	rc := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(rc.Close)
	wh := webhook.NewService(db, webhook.Options{AllowPrivate: true})
	u := rc.URL + "/hook"
	admin := access.Actor{Kind: access.ActorSystem, Name: "test", Role: access.RoleAdmin}
	if _, _, err := wh.Create(t.Context(), admin, webhook.Input{URL: &u, Events: []string{customer.EventCreated}}); err != nil {
		t.Fatal(err)
	}
	cs := customer.NewService(db, customer.Options{VerifyBaseURL: "https://verify.test", Events: wh})
	if _, err := seed.CustomersWithSeed(t.Context(), cs, 5, 7); err != nil {
		t.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "ADDR="+addr, "DATA_DIR="+t.TempDir(),
		"VERITY_ENV=development", "WEBHOOK_ALLOW_PRIVATE=true", "LOG_LEVEL=error", "WEBHOOK_WORKER=off")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := false
	for i := 0; i < 300 && !ready; i++ {
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			ready = res.StatusCode == http.StatusOK
		}
		if !ready {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil || !ready {
		t.Fatalf("serve: ready %v, exit %v", ready, err)
	}
	var attempts int
	if err := db.Get(&attempts, `SELECT coalesce(sum(attempts), 0) FROM webhook_deliveries`); err != nil {
		t.Fatal(err)
	}
	if attempts != 0 || hits.Load() != 0 {
		t.Fatalf("a serve process with WEBHOOK_WORKER=off tried %d deliveries (%d arrived)", attempts, hits.Load())
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/seed"
	"github.com/verity-kyb/verity/web"
)

// cmdServe runs the HTTP server until SIGINT/SIGTERM, then lets in-flight
// requests finish before closing the database and the private PostgreSQL.
func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("serve takes no arguments; configure it through the environment")
	}
	tuneGC()
	a, err := openApp(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	if a.pg != nil {
		fmt.Fprintln(stdout, "verity: private PostgreSQL —", a.pg.Describe())
		creds, seeded, err := seed.DemoOnce(ctx, a.db, a.customers, a.auth, seed.Target{Private: true, Env: a.cfg.Env}, seed.DefaultDemoCustomers)
		if err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
		if seeded {
			if _, err := seed.DemoDocuments(ctx, a.db, a.customers, a.documents); err != nil {
				return fmt.Errorf("seed demo documents: %w", err)
			}
			fmt.Fprintln(stdout, "verity: demo data seeded on first start")
		}
		for _, c := range creds {
			fmt.Fprintf(stdout, "verity: demo sign-in %-8s %s / %s\n", c.Role, c.Email, c.Password)
		}
	}
	pages, errorPage, err := mountPages(a)
	if err != nil {
		return err
	}
	e := web.New(web.Deps{Config: a.cfg, Log: a.log, DB: a.db, Customers: a.customers, Documents: a.documents, Keys: a.auth,
		Webhooks: a.webhooks, Pages: pages, ErrorPage: errorPage, Replica: a.replica})
	if a.replica != nil {
		a.replica.Check(ctx) // the first requests already know whether to use it
		go a.replica.Run(ctx)
	}

	// Counter deltas left by imports and statistics missing after a bulk
	// load make the first list requests slow; settle both before serving.
	if err := customer.PrepareList(ctx, a.db); err != nil {
		return err
	}
	go compactCounts(ctx, a)
	// The webhook worker stops with the server; a try under way finishes
	// (at most its 10 s timeout) and records its outcome before the database
	// closes. WEBHOOK_WORKER=off leaves delivery to other serve processes.
	wctx, stopWebhooks := context.WithCancel(ctx)
	webhooksDone := make(chan struct{})
	go func() {
		defer close(webhooksDone)
		if !a.cfg.WebhookWorkerOff {
			a.webhooks.Run(wctx, a.log)
		}
	}()
	defer func() { stopWebhooks(); <-webhooksDone }()
	errc := make(chan error, 2)
	go func() {
		fmt.Fprintf(stdout, "verity: listening on http://%s\n", a.cfg.Addr)
		if err := e.Start(a.cfg.Addr); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	ms := web.MetricsServer(a.cfg, web.DefaultTimeouts)
	if ms != nil {
		go func() {
			fmt.Fprintf(stdout, "verity: metrics on http://%s/metrics\n", ms.Addr)
			if err := ms.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("metrics listener: %w", err)
			}
		}()
	}
	if a.cfg.MetricsToken == "" && ms == nil {
		a.log.Info("/metrics is not served: set METRICS_TOKEN or METRICS_ADDR")
	}
	var failed error
	select {
	case failed = <-errc:
	case <-ctx.Done():
		a.log.Info("shutting down: letting in-flight requests finish")
	}
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if ms != nil {
		_ = ms.Shutdown(sctx)
	}
	return errors.Join(failed, e.Shutdown(sctx))
}

// compactCounts folds the list counters every few seconds: each status or
// risk change adds two delta rows, and every list request sums them all.
func compactCounts(ctx context.Context, a *app) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := customer.CompactCounts(ctx, a.db); err != nil && ctx.Err() == nil {
				a.log.Warn("compacting customer counts", "err", err)
			}
		}
	}
}

// tuneGC trades a little memory for CPU: the server's live heap is a few MB,
// so collecting at 4x growth instead of 2x costs little, and the soft limit
// keeps the process well under 100 MB whatever happens. GOGC and GOMEMLIMIT
// in the environment win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(80 << 20)
	}
}

// Command cluster is `make test-cluster`: a PostgreSQL primary and its
// streaming replica, two `verity serve` instances reading lists from the
// replica, and nginx in front running deploy/nginx/verity.conf — all on
// loopback, started here and stopped on exit. It drives mixed load through
// nginx (signed-in page sessions, API writes with If-Match and
// Idempotency-Key, list reads), restarts each instance in turn with SIGTERM
// meanwhile, then checks that no request failed, that every acknowledged
// write is in the database and the audit exactly once, and that list traffic
// reached the replica. It prints the figures; any failed check exits 1.
//
// scripts/test-cluster.sh builds bin/verity and runs it; run that, not this.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

type options struct {
	verity   string        // the verity binary
	nginx    string        // the nginx binary
	site     string        // deploy/nginx/verity.conf
	work     string        // a fresh directory for everything
	duration time.Duration // of the load
	api      int           // API clients
	pages    int           // signed-in page clients
	port     int           // first of the loopback ports used
}

func main() {
	var o options
	flag.StringVar(&o.verity, "verity", "bin/verity", "verity binary")
	flag.StringVar(&o.nginx, "nginx", "nginx", "nginx binary")
	flag.StringVar(&o.site, "site", "deploy/nginx/verity.conf", "the nginx site to run")
	flag.StringVar(&o.work, "work", "", "empty work directory (required)")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "load duration; one restart at 1/3, the other at 2/3")
	flag.IntVar(&o.api, "api-clients", 6, "API clients")
	flag.IntVar(&o.pages, "page-clients", 4, "signed-in page clients")
	flag.IntVar(&o.port, "port", 0, "first of four consecutive loopback ports (two instances, nginx HTTPS and HTTP); 0: free ones found")
	flag.Parse()
	if o.work == "" {
		fmt.Fprintln(os.Stderr, "cluster: -work is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster: FAILED:", err)
		os.Exit(1)
	}
	fmt.Println("cluster: PASS")
}

func run(ctx context.Context, o options) error {
	var err error
	if o.work, err = filepath.Abs(o.work); err != nil {
		return err
	}
	if o.verity, err = filepath.Abs(o.verity); err != nil {
		return err
	}
	if o.port == 0 {
		if o.port, err = freePorts(4); err != nil {
			return err
		}
	}
	c := &cluster{opts: o}
	defer c.stop()
	began := time.Now()
	if err := c.startDatabases(ctx); err != nil {
		return err
	}
	if err := c.startInstances(ctx); err != nil {
		return err
	}
	if err := c.startNginx(ctx); err != nil {
		return err
	}
	fmt.Printf("cluster: up in %.1f s: primary and replica (PostgreSQL %s), verity on :%d and :%d, nginx HTTPS on :%d\n",
		time.Since(began).Seconds(), c.pgVersion, c.instances[0].port, c.instances[1].port, o.port+2)
	l, err := c.prepareLoad(ctx)
	if err != nil {
		return err
	}
	before, err := c.xacts(ctx)
	if err != nil {
		return err
	}
	restarts := make(chan error, 1)
	go func() { restarts <- c.rollingRestarts(ctx, o.duration) }()
	stats := l.run(ctx, o.duration)
	if err := <-restarts; err != nil {
		return err
	}
	after, err := c.xacts(ctx)
	if err != nil {
		return err
	}
	stats.print()
	for _, r := range c.restarts {
		fmt.Printf("cluster: restart of :%d — SIGTERM to exit %s (exit status 0, in-flight requests drained), back ready %s later\n",
			r.port, r.shutdown.Round(time.Millisecond), r.back.Round(time.Millisecond))
	}
	return c.verify(ctx, l, stats, before, after)
}

// freePorts finds n consecutive loopback ports nobody listens on, so runs by
// several people on one machine do not collide.
func freePorts(n int) (int, error) {
	for try := 0; try < 50; try++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		first := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if first+n > 65535 {
			continue
		}
		ok := true
		for p := first; p < first+n && ok; p++ {
			probe, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				continue
			}
			_ = probe.Close()
		}
		if ok {
			return first, nil
		}
	}
	return 0, errors.New("no four free consecutive loopback ports")
}

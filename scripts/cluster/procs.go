package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/postgres"
)

// cluster is every process the test runs.
type cluster struct {
	opts             options
	primary, replica *postgres.Server
	pdb, rdb         *sqlx.DB // superuser pools on database verity
	pgVersion        string
	env              []string // the instances' shared environment
	instances        [2]*instance
	nginx            *exec.Cmd
	nginxDone        chan error
	restarts         []restart
	https            string // nginx's base URL
	caFile           string
}

// instance is one `verity serve`.
type instance struct {
	port int
	log  string
	cmd  *exec.Cmd
	done chan error
}

// nginxFailTimeout is fail_timeout in deploy/nginx/verity.conf.
const nginxFailTimeout = 2 * time.Second

type restart struct {
	port           int
	shutdown, back time.Duration
}

func (c *cluster) startDatabases(ctx context.Context) error {
	var err error
	if err := os.Chmod(c.opts.work, 0o755); err != nil { // the server may run as the postgres user
		return err
	}
	pgLog, err := os.Create(filepath.Join(c.opts.work, "postgres.log"))
	if err != nil {
		return err
	}
	if c.primary, err = postgres.StartServer(ctx, postgres.ServerOptions{DataDir: filepath.Join(c.opts.work, "primary"), Ephemeral: true, Log: pgLog}); err != nil {
		return err
	}
	if err := c.primary.EnsureDatabase(ctx, "verity"); err != nil {
		return err
	}
	replicaLog, err := os.Create(filepath.Join(c.opts.work, "replica.log"))
	if err != nil {
		return err
	}
	if c.replica, err = c.primary.StartStandby(ctx, postgres.StandbyOptions{DataDir: filepath.Join(c.opts.work, "replica"), Ephemeral: true, Log: replicaLog}); err != nil {
		return err
	}
	if c.pdb, err = postgres.Open(ctx, c.primary.URL("verity")); err != nil {
		return err
	}
	if c.rdb, err = postgres.Open(ctx, c.replica.URL("verity")); err != nil {
		return err
	}
	var standby bool
	if err := c.rdb.GetContext(ctx, &standby, `SELECT pg_is_in_recovery()`); err != nil || !standby {
		return fmt.Errorf("the replica is not in recovery (%v)", err)
	}
	return c.pdb.GetContext(ctx, &c.pgVersion, `SELECT current_setting('server_version')`)
}

// startInstances starts both at once on the empty database: their
// migrations meet under the advisory lock.
func (c *cluster) startInstances(ctx context.Context) error {
	secret := make([]byte, 36)
	_, _ = rand.Read(secret)
	c.env = append(os.Environ(), "VERITY_ENV=production", "LOG_LEVEL=info",
		"DATABASE_URL="+c.primary.URL("verity"), "DATABASE_READ_URL="+c.replica.URL("verity"),
		"SESSION_SECRET="+base64.StdEncoding.EncodeToString(secret), "TRUSTED_PROXIES=127.0.0.1")
	for i := range c.instances {
		port := c.opts.port + i
		c.instances[i] = &instance{port: port, log: filepath.Join(c.opts.work, fmt.Sprintf("verity-%d.log", port))}
		if err := c.instances[i].start(c.opts.verity, c.env); err != nil {
			return err
		}
	}
	for _, in := range c.instances {
		if err := in.waitReady(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (in *instance) start(bin string, env []string) error {
	log, err := os.OpenFile(in.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "ADDR=127.0.0.1:"+strconv.Itoa(in.port))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return err
	}
	in.cmd, in.done = cmd, make(chan error, 1)
	go func() { in.done <- cmd.Wait(); _ = log.Close() }()
	return nil
}

func (in *instance) waitReady(ctx context.Context) error {
	url := fmt.Sprintf("http://127.0.0.1:%d/readyz", in.port)
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		select {
		case err := <-in.done:
			in.done <- err
			return fmt.Errorf("verity on :%d exited while starting (%v); see %s", in.port, err, in.log)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("verity on :%d not ready after 2 minutes; see %s", in.port, in.log)
}

// terminate sends SIGTERM and waits for a clean exit.
func (in *instance) terminate() (time.Duration, error) {
	began := time.Now()
	if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case err := <-in.done:
		if err != nil {
			return 0, fmt.Errorf("verity on :%d did not shut down cleanly after SIGTERM: %v; see %s", in.port, err, in.log)
		}
		return time.Since(began), nil
	case <-time.After(40 * time.Second):
		_ = in.cmd.Process.Kill()
		return 0, fmt.Errorf("verity on :%d still running 40 s after SIGTERM; see %s", in.port, in.log)
	}
}

// rollingRestarts restarts the first instance a third into the load and the
// second at two thirds, each only after the other is ready and nginx's
// fail_timeout (2 s in the site) has passed, as docs/deploy.md says.
func (c *cluster) rollingRestarts(ctx context.Context, d time.Duration) error {
	start := time.Now()
	for i, in := range c.instances {
		select {
		case <-time.After(time.Until(start.Add(d * time.Duration(i+1) / 3))):
		case <-ctx.Done():
			return ctx.Err()
		}
		took, err := in.terminate()
		if err != nil {
			return err
		}
		began := time.Now()
		if err := in.start(c.opts.verity, c.env); err != nil {
			return err
		}
		if err := in.waitReady(ctx); err != nil {
			return err
		}
		c.restarts = append(c.restarts, restart{port: in.port, shutdown: took, back: time.Since(began)})
		if i == 0 {
			time.Sleep(nginxFailTimeout + time.Second)
		}
	}
	return nil
}

// xactCounts are committed transactions per server on database verity.
type xactCounts struct{ primary, replica int64 }

func (c *cluster) xacts(ctx context.Context) (xactCounts, error) {
	const q = `SELECT xact_commit FROM pg_stat_database WHERE datname = 'verity'`
	var x xactCounts
	if err := c.pdb.GetContext(ctx, &x.primary, q); err != nil {
		return x, err
	}
	err := c.rdb.GetContext(ctx, &x.replica, q)
	return x, err
}

// stop ends everything this run started, in reverse order.
func (c *cluster) stop() {
	if c.nginx != nil && c.nginx.Process != nil {
		_ = c.nginx.Process.Signal(syscall.SIGQUIT) // graceful
		select {
		case <-c.nginxDone:
		case <-time.After(10 * time.Second):
			_ = c.nginx.Process.Kill()
		}
	}
	for _, in := range c.instances {
		if in == nil || in.cmd == nil {
			continue
		}
		select {
		case err := <-in.done:
			in.done <- err // already exited
		default:
			_, _ = in.terminate()
		}
	}
	for _, db := range []*sqlx.DB{c.pdb, c.rdb} {
		if db != nil {
			_ = db.Close()
		}
	}
	for _, s := range []*postgres.Server{c.replica, c.primary} {
		if s != nil {
			if err := s.Stop(); err != nil && !strings.Contains(err.Error(), "already exited") {
				fmt.Fprintln(os.Stderr, "cluster: stopping PostgreSQL:", err)
			}
		}
	}
}

// verityCommand runs a verity subcommand against the cluster's database.
func (c *cluster) verityCommand(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, c.opts.verity, args...)
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", errors.Join(fmt.Errorf("verity %s: %w", strings.Join(args[:2], " "), err), errors.New(errOut.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

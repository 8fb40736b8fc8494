package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

const (
	// serverPort only names the socket (.s.PGSQL.5432): the server listens
	// on no TCP port and its socket directory is its own, so it never clashes.
	serverPort    = 5432
	startTimeout  = 30 * time.Second
	stopGrace     = 10 * time.Second
	maxSocketPath = 107 // sun_path holds 108 bytes, the last one NUL
)

// ServerOptions says where a private server keeps its data and how careful
// it is with it.
type ServerOptions struct {
	// DataDir is the cluster's directory; a missing or empty one is
	// initialised, an existing one is reused, never wiped.
	DataDir string
	// Ephemeral turns off fsync, synchronous_commit and full_page_writes:
	// several times faster, and a crash may lose the data — for tests only.
	Ephemeral bool
	// Log receives the server's own log; nil drops it (start-up errors
	// still quote its last lines).
	Log io.Writer
}

// Server is a private PostgreSQL started from the binaries on this machine,
// so `verity serve` and the tests need no database set up by hand. It
// listens only on a unix socket and dies with the process that started it.
type Server struct {
	bin     binaries
	acct    *account // who the server runs as; nil means ourselves
	dataDir string
	sockDir string
	tmpSock bool // sockDir is a directory of our own, removed on Stop
	port    int
	log     *logTail

	cmd     *exec.Cmd
	exited  chan struct{} // closed when the postmaster has exited
	waitErr error         // its exit status, set before exited is closed

	// attached is set when another process (a running `verity serve`)
	// already runs PostgreSQL on this data directory: we connect to it and
	// leave it running.
	attached bool

	stopOnce sync.Once
	stopErr  error
}

// StartServer starts PostgreSQL on opts.DataDir, running initdb first when
// the directory is missing or empty, and returns once it accepts
// connections. The server keeps running after ctx ends (ctx bounds only the
// start); call Stop.
func StartServer(ctx context.Context, opts ServerOptions) (*Server, error) {
	if opts.DataDir == "" {
		return nil, errors.New("postgres: ServerOptions.DataDir is required")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, err
	}
	bin, err := findBinaries(ctx)
	if err != nil {
		return nil, err
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, err
	}
	fresh, err := checkDataDir(dataDir, bin)
	if err != nil {
		return nil, err
	}
	if !fresh {
		if s, ok := attachRunning(dataDir, bin); ok {
			return s, nil
		}
	}
	if err := prepareDir(dataDir, acct); err != nil {
		return nil, fmt.Errorf("prepare PostgreSQL data directory: %w", err)
	}
	s := &Server{bin: bin, acct: acct, dataDir: dataDir, port: serverPort,
		log: &logTail{out: opts.Log}, exited: make(chan struct{})}
	if fresh {
		if err := s.initdb(ctx, opts.Ephemeral); err != nil {
			return nil, err
		}
	}
	if err := s.makeSocketDir(); err != nil {
		return nil, err
	}
	if err := s.start(opts.Ephemeral); err != nil {
		s.removeSocketDir()
		return nil, err
	}
	if err := s.waitReady(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// checkDataDir reports whether dir still needs initdb, and refuses a cluster
// of another major version: its data would need pg_upgrade, and wiping it
// is never our call.
func checkDataDir(dir string, bin binaries) (fresh bool, err error) {
	v, err := os.ReadFile(filepath.Join(dir, "PG_VERSION"))
	if err == nil {
		if got := strings.TrimSpace(string(v)); got != bin.major {
			return false, fmt.Errorf("the data directory %s holds a PostgreSQL %s cluster but the binaries in %s are PostgreSQL %s; "+
				"refusing to start (nothing was changed): use PostgreSQL %s binaries (PG_BIN_DIR), "+
				"upgrade the data (pg_upgrade, or dump and restore), or move the directory away to start afresh",
				dir, got, bin.dir, bin.version, got)
		}
		return false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("read the PostgreSQL data directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("read the PostgreSQL data directory: %w", err)
	case len(entries) > 0:
		return false, fmt.Errorf("%s is neither empty nor a PostgreSQL data directory (it has no PG_VERSION); "+
			"refusing to initialise it: choose an empty or missing directory", dir)
	}
	return true, nil
}

// initdb creates the cluster: superuser postgres, trust authentication (only
// the socket in a 0700 directory reaches it), UTF8 and the C locale, which
// every machine has.
func (s *Server) initdb(ctx context.Context, ephemeral bool) error {
	args := []string{"-D", s.dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"}
	if ephemeral {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, s.bin.initdb(), args...)
	cmd.Dir = s.dataDir // the server user may not be able to enter ours
	cmd.Env = serverEnv()
	cmd.SysProcAttr = s.acct.sysProcAttr()
	if out, err := cmd.CombinedOutput(); err != nil {
		// The directory was empty before: leave it so, not half-initialised
		// (initdb cleans up after itself, but not when it is killed).
		if entries, rerr := os.ReadDir(s.dataDir); rerr == nil {
			for _, e := range entries {
				_ = os.RemoveAll(filepath.Join(s.dataDir, e.Name()))
			}
		}
		return fmt.Errorf("initdb %s: %w; it said:\n%s", s.dataDir, err, lastLines(string(out), 20))
	}
	return nil
}

// makeSocketDir uses the data directory for the socket unless its path
// would pass the unix socket limit; then a short private directory instead.
func (s *Server) makeSocketDir() error {
	if len(filepath.Join(s.dataDir, ".s.PGSQL."+strconv.Itoa(s.port))) <= maxSocketPath {
		s.sockDir = s.dataDir
		return nil
	}
	base := os.TempDir()
	if len(base) > 64 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "pgsock-")
	if err != nil {
		return fmt.Errorf("make a socket directory: %w", err)
	}
	if s.acct != nil {
		if err := os.Chown(dir, int(s.acct.uid), int(s.acct.gid)); err != nil {
			_ = os.Remove(dir)
			return fmt.Errorf("make a socket directory: %w", err)
		}
	}
	s.sockDir, s.tmpSock = dir, true
	return nil
}

func (s *Server) removeSocketDir() {
	if s.tmpSock {
		_ = os.RemoveAll(s.sockDir)
	}
}

// walBuffers is the private server's WAL buffer space. PostgreSQL's default
// is shared_buffers / 32 (4 MB here), less than the WAL of one import batch
// or of a quarter second of concurrent writes: backends then stop to write
// full buffers out (LWLock:WALWrite), 12 % of the import's connection time,
// and spin and switch while they wait. 64 MB removes those waits: the
// import's batches cost PostgreSQL 12–17 % less CPU per line (docs/import.md,
// "64 MB of WAL buffers"). It takes 64 MB of shared memory, once.
const walBuffers = "64MB"

// start runs the postmaster directly (not pg_ctl, whose daemon we could not
// watch). Pdeathsig kills it when the thread that started it dies, so that
// thread is locked for the child's whole life: then "the thread dies" means
// "our process dies", and a killed `verity` or test binary leaves no orphan.
func (s *Server) start(ephemeral bool) error {
	args := []string{"-D", s.dataDir, "-k", s.sockDir, "-p", strconv.Itoa(s.port),
		"-c", "listen_addresses=", "-c", "max_connections=200", "-c", "shared_buffers=128MB",
		"-c", "wal_buffers=" + walBuffers}
	if ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(s.bin.postgres(), args...)
	cmd.Dir = s.dataDir
	cmd.Env = serverEnv()
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.WaitDelay = 2 * time.Second // backends may hold the log pipe a moment after the postmaster dies
	cmd.SysProcAttr = s.acct.sysProcAttr()
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT // immediate shutdown of the postmaster and its backends

	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start %s: %w", s.bin.postgres(), err)
	}
	s.cmd = cmd
	return nil
}

// waitReady waits until postmaster.pid says "ready" for our process and a
// connection works; an early exit or the time limit returns the log's tail.
func (s *Server) waitReady(ctx context.Context) error {
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var db *sql.DB
	defer func() {
		if db != nil {
			_ = db.Close()
		}
	}()
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("PostgreSQL (%s) exited while starting: %v; its log ends:\n%s", s.bin.dir, s.waitErr, s.log.tail())
		case <-deadline.C:
			return fmt.Errorf("PostgreSQL (%s) was not ready after %s; its log ends:\n%s", s.bin.dir, startTimeout, s.log.tail())
		case <-ctx.Done():
			return fmt.Errorf("waiting for PostgreSQL to start: %w", ctx.Err())
		case <-tick.C:
		}
		if !s.pidFileReady() {
			continue
		}
		if db == nil {
			var err error
			if db, err = sql.Open("postgres", s.URL("postgres")); err != nil {
				return err
			}
		}
		pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := db.PingContext(pingCtx)
		cancel()
		if err == nil {
			return nil
		}
	}
}

// pidFileReady reads postmaster.pid: line 1 is the postmaster's pid, line 8
// its status, "ready" once it accepts connections.
func (s *Server) pidFileReady() bool {
	b, err := os.ReadFile(filepath.Join(s.dataDir, "postmaster.pid"))
	if err != nil {
		return false
	}
	lines := strings.Split(string(b), "\n")
	return len(lines) >= 8 &&
		strings.TrimSpace(lines[0]) == strconv.Itoa(s.cmd.Process.Pid) &&
		strings.TrimSpace(lines[7]) == "ready"
}

// URL is the lib/pq URL of database dbname on this server, as the superuser
// postgres over the unix socket.
func (s *Server) URL(dbname string) string {
	q := "host=" + url.QueryEscape(s.sockDir) + "&port=" + strconv.Itoa(s.port) + "&sslmode=disable"
	return "postgres://postgres@/" + url.PathEscape(dbname) + "?" + q
}

// EnsureDatabase creates database name unless it exists, so the app's first
// start on a fresh data directory needs no manual step.
func (s *Server) EnsureDatabase(ctx context.Context, name string) error {
	db, err := sql.Open("postgres", s.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("look for database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
	if err != nil && pq.As(err, pqerror.DuplicateDatabase) == nil { // losing a race to create it is fine
		return fmt.Errorf("create database %q: %w", name, err)
	}
	return nil
}

// Describe is the one banner line telling a person which PostgreSQL runs
// and where its data lives.
func (s *Server) Describe() string {
	line := fmt.Sprintf("PostgreSQL %s from %s, data in %s", s.bin.version, s.bin.dir, s.dataDir)
	if s.attached {
		line += " (already running, shared)"
	}
	if s.tmpSock {
		line += ", socket in " + s.sockDir
	}
	return line
}

// Stop shuts the server down: SIGINT (fast shutdown: sessions end, data is
// flushed), SIGQUIT after 10 s, SIGKILL 10 s later. Calling it again returns
// the first result.
func (s *Server) Stop() error {
	if s.attached {
		return nil // someone else's server: it keeps running
	}
	s.stopOnce.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *Server) stop() error {
	defer s.removeSocketDir()
	select {
	case <-s.exited:
		return fmt.Errorf("PostgreSQL had already exited: %v; its log ends:\n%s", s.waitErr, s.log.tail())
	default:
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGKILL} {
		_ = s.cmd.Process.Signal(sig)
		select {
		case <-s.exited:
			if sig != syscall.SIGINT {
				return fmt.Errorf("PostgreSQL ignored SIGINT for %s; stopped it with %v", stopGrace, sig)
			}
			if s.waitErr != nil {
				return fmt.Errorf("PostgreSQL shut down with %v; its log ends:\n%s", s.waitErr, s.log.tail())
			}
			return nil
		case <-time.After(stopGrace):
		}
	}
	return fmt.Errorf("PostgreSQL (pid %d) did not exit even after SIGKILL", s.cmd.Process.Pid)
}

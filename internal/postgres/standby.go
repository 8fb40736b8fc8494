package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// StandbyOptions say where a streaming replica of a private server lives.
type StandbyOptions struct {
	// DataDir must be missing or empty: pg_basebackup fills it.
	DataDir string
	// Ephemeral as in ServerOptions (tests and the cluster test only).
	Ephemeral bool
	// Log receives the replica's own log; nil drops it.
	Log io.Writer
}

// StartStandby copies s with pg_basebackup -R (which writes the
// primary_conninfo and standby.signal a streaming replica needs) from the same
// PostgreSQL binaries, starts it as a hot standby on its own socket and
// returns once it accepts read-only connections. Stop it like any Server.
func (s *Server) StartStandby(ctx context.Context, opts StandbyOptions) (*Server, error) {
	if s.attached {
		return nil, errors.New("postgres: a standby needs a server this process started")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, err
	}
	if fresh, err := checkDataDir(dataDir, s.bin); err != nil {
		return nil, err
	} else if !fresh {
		return nil, fmt.Errorf("postgres: %s already holds a cluster; a standby starts from an empty directory", dataDir)
	}
	if err := prepareDir(dataDir, s.acct); err != nil {
		return nil, fmt.Errorf("prepare the standby's data directory: %w", err)
	}
	basebackup := filepath.Join(s.bin.dir, "pg_basebackup")
	if _, err := os.Stat(basebackup); err != nil {
		return nil, fmt.Errorf("no pg_basebackup beside %s: a standby needs the PostgreSQL client tools of the same version (Debian: postgresql-client-%s)", s.bin.postgres(), s.bin.major)
	}
	cmd := exec.CommandContext(ctx, basebackup, "-D", dataDir, "-R", "-X", "stream", "-c", "fast",
		"-h", s.sockDir, "-p", strconv.Itoa(s.port), "-U", "postgres")
	cmd.Dir = dataDir
	cmd.Env = serverEnv()
	cmd.SysProcAttr = s.acct.sysProcAttr()
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pg_basebackup into %s: %w; it said:\n%s", dataDir, err, lastLines(string(out), 20))
	}
	// The primary keeps its socket in its data directory; the copy of the
	// socket's lock file would stop the standby from using its own.
	locks, _ := filepath.Glob(filepath.Join(dataDir, ".s.PGSQL.*"))
	for _, f := range locks {
		_ = os.Remove(f)
	}
	r := &Server{bin: s.bin, acct: s.acct, dataDir: dataDir, port: serverPort,
		log: &logTail{out: opts.Log}, exited: make(chan struct{})}
	if err := r.makeSocketDir(); err != nil {
		return nil, err
	}
	if err := r.start(opts.Ephemeral); err != nil {
		r.removeSocketDir()
		return nil, err
	}
	if err := r.waitReady(ctx); err != nil {
		_ = r.Stop()
		return nil, err
	}
	return r, nil
}

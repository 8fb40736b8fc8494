package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/verity-kyb/verity/internal/postgres"
)

// dirPrefix starts the name of every throwaway cluster directory; the pid of
// the test binary that owns it follows, so stale ones can be recognised.
const dirPrefix = "pgtest-"

// minTmpfsFree is the room /dev/shm must have to be used: containers often
// give it only 64 MB, too little for a cluster and its test databases.
const minTmpfsFree = 1 << 30

var (
	clusterMu  sync.Mutex
	cluster    *postgres.Server
	clusterDir string
)

// startCluster starts this test binary's throwaway PostgreSQL and returns
// the URL of its postgres database.
func startCluster() (string, error) {
	parent := clusterParent()
	removeStale(parent)
	dir, err := os.MkdirTemp(parent, fmt.Sprintf("%s%d-", dirPrefix, os.Getpid()))
	if err != nil {
		return "", fmt.Errorf("make a directory for the test cluster: %w", err)
	}
	// When we are root the server runs as another user, who must pass through.
	if err := os.Chmod(dir, 0o711); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := postgres.StartServer(ctx, postgres.ServerOptions{
		DataDir:   filepath.Join(dir, "data"),
		Ephemeral: true,
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		if errors.Is(err, postgres.ErrNoBinaries) {
			return "", fmt.Errorf("%s is not set, so the tests start their own PostgreSQL, but: %w", EnvURL, err)
		}
		return "", fmt.Errorf("start a throwaway PostgreSQL for the tests: %w", err)
	}
	clusterMu.Lock()
	cluster, clusterDir = srv, dir
	clusterMu.Unlock()
	return srv.URL("postgres"), nil
}

// stopCluster stops the throwaway cluster, if any, and removes its files.
func stopCluster() {
	clusterMu.Lock()
	defer clusterMu.Unlock()
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping the test PostgreSQL: %v\n", err)
		}
		cluster = nil
	}
	if clusterDir != "" {
		_ = os.RemoveAll(clusterDir)
		clusterDir = ""
	}
}

// clusterParent prefers tmpfs: the cluster is thrown away anyway, and
// creating a database from a template copies files.
func clusterParent() string {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err == nil &&
		st.Bavail*uint64(st.Bsize) >= minTmpfsFree && syscall.Access("/dev/shm", 3 /* W_OK|X_OK */) == nil {
		return "/dev/shm"
	}
	return os.TempDir()
}

// removeStale deletes the clusters of test binaries that died without
// cleaning up (a -timeout panic, a kill): both the binary named in the
// directory and the postmaster of its data directory must be gone.
func removeStale(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, dirPrefix) {
			continue
		}
		ownerPid, _, _ := strings.Cut(strings.TrimPrefix(name, dirPrefix), "-")
		owner, err := strconv.Atoi(ownerPid)
		if err != nil || alive(owner) {
			continue
		}
		dir := filepath.Join(parent, name)
		if alive(postmasterPid(filepath.Join(dir, "data"))) {
			continue
		}
		_ = os.RemoveAll(dir)
	}
}

// postmasterPid reads the first line of postmaster.pid; 0 when there is none.
func postmasterPid(dataDir string) int {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}

// alive reports whether a process with this pid exists (EPERM: it does, but
// is someone else's).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

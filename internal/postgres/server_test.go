package postgres

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startServer starts an ephemeral server on dataDir and stops it when the
// test ends.
func startServer(t *testing.T, dataDir string) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	began := time.Now()
	s, err := StartServer(ctx, ServerOptions{DataDir: dataDir, Ephemeral: true})
	if err != nil {
		t.Fatalf("StartServer: %v", err)
	}
	t.Logf("started in %s: %s", time.Since(began).Round(time.Millisecond), s.Describe())
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

func TestServerLifecycle(t *testing.T) {
	ctx := context.Background()
	dataDir := filepath.Join(t.TempDir(), "pg")
	s := startServer(t, dataDir)

	if !strings.Contains(s.Describe(), dataDir) || !strings.Contains(s.Describe(), s.bin.dir) {
		t.Errorf("Describe() = %q, want the data and binaries directories in it", s.Describe())
	}
	// The name needs escaping in the URL; lib/pq must still find the database.
	const name = "verity app"
	for range 2 { // the second call finds it and does nothing
		if err := s.EnsureDatabase(ctx, name); err != nil {
			t.Fatalf("EnsureDatabase: %v", err)
		}
	}
	db, err := Open(ctx, s.URL(name))
	if err != nil {
		t.Fatalf("Open(%s): %v", s.URL(name), err)
	}
	var current string
	if err := db.GetContext(ctx, &current, `SELECT current_database()`); err != nil || current != name {
		t.Fatalf("current_database() = %q, %v; want %q", current, err, name)
	}
	for range 2 { // the second run finds nothing to do
		if err := Migrate(ctx, db.DB); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	var walBufs string
	if err := db.GetContext(ctx, &walBufs, `SHOW wal_buffers`); err != nil || walBufs != walBuffers {
		t.Errorf("wal_buffers = %q, %v; want %s (the default 4 MB makes bulk writes wait on WAL writes)", walBufs, err, walBuffers)
	}
	var version int64
	if err := db.GetContext(ctx, &version, `SELECT max(version_id) FROM goose_db_version`); err != nil || version < 1 {
		t.Fatalf("goose version = %d, %v; want the migrations applied", version, err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	began := time.Now()
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("stopped in %s", time.Since(began).Round(time.Millisecond))
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid still there after Stop (err %v): not a clean shutdown", err)
	}

	// A server that cannot start says why, quoting its own log.
	conf := filepath.Join(dataDir, "postgresql.auto.conf")
	orig, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, append(orig, "this is = = not valid\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = StartServer(ctx, ServerOptions{DataDir: dataDir, Ephemeral: true})
	if err == nil || !strings.Contains(err.Error(), "exited while starting") || !strings.Contains(err.Error(), "syntax error") {
		t.Fatalf("StartServer with a broken config: err = %v; want the early exit and the log's syntax error", err)
	}
	if err := os.WriteFile(conf, orig, 0o600); err != nil {
		t.Fatal(err)
	}

	// Restarting on the same directory keeps the data.
	s = startServer(t, dataDir)
	db, err = Open(ctx, s.URL(name))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.GetContext(ctx, &v, `SELECT v FROM kept`); err != nil || v != "still here" {
		t.Fatalf("after restart: kept = %q, %v", v, err)
	}
}

func TestServerRefusesOtherMajorVersion(t *testing.T) {
	dataDir := t.TempDir()
	files := map[string]string{"PG_VERSION": "9.6\n", "base/1/keep": "precious"}
	for name, body := range files {
		path := filepath.Join(dataDir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := StartServer(context.Background(), ServerOptions{DataDir: dataDir, Ephemeral: true})
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL 9.6 cluster") || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("err = %v; want a refusal naming version 9.6", err)
	}
	for name, body := range files {
		if got, err := os.ReadFile(filepath.Join(dataDir, name)); err != nil || string(got) != body {
			t.Errorf("%s = %q, %v after the refusal; want it untouched", name, got, err)
		}
	}
}

func TestServerRefusesNonEmptyDirectory(t *testing.T) {
	dataDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dataDir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := StartServer(context.Background(), ServerOptions{DataDir: dataDir})
	if err == nil || !strings.Contains(err.Error(), "neither empty nor a PostgreSQL data directory") {
		t.Fatalf("err = %v; want a refusal to initialise a directory with files in it", err)
	}
}

func TestServerNoBinariesNamesTheFix(t *testing.T) {
	t.Setenv("PG_BIN_DIR", t.TempDir())
	_, err := StartServer(context.Background(), ServerOptions{DataDir: t.TempDir()})
	if !errors.Is(err, ErrNoBinaries) || !strings.Contains(err.Error(), "PG_BIN_DIR=") {
		t.Fatalf("err = %v; want ErrNoBinaries naming PG_BIN_DIR", err)
	}
}

func TestServerLongPathUsesShortSocketDir(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), strings.Repeat("d", 110), "pg")
	s := startServer(t, dataDir)
	if !s.tmpSock || len(s.sockDir) >= len(dataDir) {
		t.Fatalf("socket dir %q for data dir of %d bytes; want a short one of our own", s.sockDir, len(dataDir))
	}
	if err := s.EnsureDatabase(context.Background(), "long"); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.sockDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket dir %s left behind after Stop (err %v)", s.sockDir, err)
	}
}

// helperDataDirEnv makes the test binary a process that starts a server and
// waits to be killed (see TestMain).
const helperDataDirEnv = "VERITY_PGTEST_HELPER_DATADIR"

// serveUntilKilled is the helper process: start, say "ready", wait forever.
func serveUntilKilled(dataDir string) int {
	if _, err := StartServer(context.Background(), ServerOptions{DataDir: dataDir, Ephemeral: true}); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	os.Stdout.WriteString("ready\n")
	select {}
}

func TestServerDiesWithItsProcess(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "pg")
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), helperDataDirEnv+"="+dataDir)
	helper.Stderr = os.Stderr
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = helper.Process.Kill(); _ = helper.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("helper said %q, %v; want ready", line, err)
	}
	pidFile, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.SplitN(string(pidFile), "\n", 2)[0])
	if err != nil || !running(pid) {
		t.Fatalf("postmaster pid %d (%v) is not running", pid, err)
	}

	began := time.Now()
	if err := helper.Process.Kill(); err != nil { // SIGKILL: no chance to clean up
		t.Fatal(err)
	}
	_ = helper.Wait()
	for running(pid) {
		if time.Since(began) > 10*time.Second {
			t.Fatalf("postmaster %d still running 10 s after its parent was killed", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("orphaned postmaster gone %s after its parent was killed", time.Since(began).Round(time.Millisecond))

	// The killed server's directory starts again (crash recovery).
	s := startServer(t, dataDir)
	if err := s.EnsureDatabase(context.Background(), "after_crash"); err != nil {
		t.Fatal(err)
	}
}

// running reports whether pid is a live process (a zombie waiting for a
// parent that never reaps it counts as gone).
func running(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, ok := strings.Cut(string(stat), ") ")
	return ok && !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

func TestEnsureTraversableOpensOurTempDirs(t *testing.T) {
	other := &account{name: "someone", uid: 54321, gid: 54321}
	parent := filepath.Join(t.TempDir(), "a")
	if err := os.Mkdir(parent, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := ensureTraversable(parent, other); err != nil {
		t.Fatalf("ensureTraversable: %v", err)
	}
	fi, err := os.Stat(parent)
	if err != nil || fi.Mode().Perm() != 0o711 {
		t.Fatalf("mode %v (%v); want 0711: passable, not listable", fi.Mode().Perm(), err)
	}
}

func TestCanSearch(t *testing.T) {
	acct := &account{uid: 100, gid: 200}
	tests := []struct {
		name     string
		mode     os.FileMode
		uid, gid uint32
		want     bool
	}{
		{"OwnerX", 0o700, 100, 1, true},
		{"OwnerNoX", 0o077, 100, 200, false},
		{"GroupX", 0o710, 1, 200, true},
		{"GroupNoX", 0o701, 1, 200, false},
		{"OtherX", 0o711, 1, 1, true},
		{"OtherNoX", 0o770, 1, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &syscall.Stat_t{Uid: tt.uid, Gid: tt.gid}
			if got := canSearch(tt.mode, st, acct); got != tt.want {
				t.Errorf("canSearch(%#o, uid %d, gid %d) = %v, want %v", tt.mode, tt.uid, tt.gid, got, tt.want)
			}
		})
	}
}

func TestServerInterruptedInitLeavesDirectoryEmpty(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "pg")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Millisecond)
	defer cancel()
	if _, err := StartServer(ctx, ServerOptions{DataDir: dataDir, Ephemeral: true}); err == nil {
		t.Fatal("StartServer succeeded within 60 ms; want the deadline to cut initdb short")
	}
	if entries, err := os.ReadDir(dataDir); err == nil && len(entries) > 0 {
		t.Fatalf("%d entries left in the data directory after an interrupted start; want none", len(entries))
	}
	s := startServer(t, dataDir) // and the next start initialises it properly
	if err := s.EnsureDatabase(context.Background(), "ok"); err != nil {
		t.Fatal(err)
	}
}

// A second StartServer on a data directory whose server is running (a CLI
// command beside `verity serve`) connects to it and leaves it running.
func TestServerAttachesToARunningOne(t *testing.T) {
	ctx := context.Background()
	dataDir := filepath.Join(t.TempDir(), "pg")
	owner := startServer(t, dataDir)
	guest, err := StartServer(ctx, ServerOptions{DataDir: dataDir, Ephemeral: true})
	if err != nil {
		t.Fatalf("second StartServer: %v", err)
	}
	if !guest.attached || guest.URL("postgres") != owner.URL("postgres") {
		t.Fatalf("not attached: %+v; URL %s vs %s", guest.attached, guest.URL("postgres"), owner.URL("postgres"))
	}
	if err := guest.Stop(); err != nil {
		t.Fatalf("guest Stop: %v", err)
	}
	db, err := Open(ctx, owner.URL("postgres"))
	if err != nil {
		t.Fatalf("the owner's server stopped with the guest: %v", err)
	}
	_ = db.Close()
	if err := owner.Stop(); err != nil {
		t.Fatal(err)
	}
	// Once it is gone, a new StartServer starts its own again.
	s := startServer(t, dataDir)
	if s.attached {
		t.Fatal("attached to a stopped server")
	}
}

package postgres

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// attachRunning finds a PostgreSQL that another process already runs on
// dataDir (say `verity serve`, while `verity apikey create` runs beside it)
// and returns a Server that connects to it and never stops it. postmaster.pid
// says where: line 1 the pid, line 4 the port, line 5 the socket directory,
// line 8 the status.
func attachRunning(dataDir string, bin binaries) (*Server, bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return nil, false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 8 || strings.TrimSpace(lines[7]) != "ready" {
		return nil, false
	}
	pid, err1 := strconv.Atoi(strings.TrimSpace(lines[0]))
	port, err2 := strconv.Atoi(strings.TrimSpace(lines[3]))
	sock := strings.TrimSpace(lines[4])
	if err1 != nil || err2 != nil || pid <= 0 || sock == "" {
		return nil, false
	}
	// Signal 0 checks the process exists; EPERM means it does, as another user.
	if err := syscall.Kill(pid, 0); err != nil && err != syscall.EPERM {
		return nil, false
	}
	if _, err := os.Stat(filepath.Join(sock, ".s.PGSQL."+strconv.Itoa(port))); err != nil {
		return nil, false
	}
	return &Server{bin: bin, dataDir: dataDir, port: port, sockDir: sock, attached: true, exited: make(chan struct{})}, true
}

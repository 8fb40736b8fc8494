package postgres

import (
	"io"
	"strings"
	"sync"
)

// tailBytes is how much of the server log we keep for error messages.
const tailBytes = 16 << 10

// logTail passes the server's log on to out (if any) and keeps its last
// bytes, so an error at start or stop can show what the server said.
type logTail struct {
	mu  sync.Mutex
	out io.Writer
	buf []byte
}

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.out != nil {
		_, _ = l.out.Write(p) // a broken log sink must not stop the server
	}
	l.buf = append(l.buf, p...)
	if len(l.buf) > tailBytes {
		l.buf = append([]byte(nil), l.buf[len(l.buf)-tailBytes:]...)
	}
	return len(p), nil
}

// tail returns the last lines the server logged.
func (l *logTail) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) == 0 {
		return "(the server logged nothing)"
	}
	return lastLines(string(l.buf), 20)
}

// lastLines returns the last n non-empty lines of s, indented for quoting
// inside an error message.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.Join(lines, "\n    ")
}

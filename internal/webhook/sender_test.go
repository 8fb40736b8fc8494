package webhook

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rawReceiver is a TCP server answering each request with what answer
// writes, to script answers net/http's server would not give.
type rawReceiver struct {
	URL     *url.URL
	accepts atomic.Int32
	mu      sync.Mutex
	bodies  []string
}

func newRawReceiver(t *testing.T, answer func(n int, w io.Writer) (keep bool)) *rawReceiver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	rr := &rawReceiver{URL: &url.URL{Scheme: "http", Host: ln.Addr().String(), Path: "/hooks/verity"}}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			rr.accepts.Add(1)
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					b, _ := io.ReadAll(req.Body)
					rr.mu.Lock()
					rr.bodies = append(rr.bodies, string(b))
					n := len(rr.bodies)
					rr.mu.Unlock()
					if !answer(n, conn) {
						return
					}
				}
			}()
		}
	}()
	return rr
}

func postOnce(t *testing.T, s *sender, u *url.URL, body string) (int, string, error) {
	t.Helper()
	h := http.Header{"Content-Type": {ContentType}, "Webhook-Id": {"evt-1"}}
	status, text, err := s.post(context.Background(), u, h, []byte(body), MaxResponseBody)
	return status, string(text), err
}

// A try reaches the receiver whole — path and query, Host, the headers as
// named, the body — and the next tries reuse its connection.
func TestSenderKeepsConnections(t *testing.T) {
	var conns atomic.Int32
	type seen struct{ uri, host, ctype, id, length, body string }
	got := make(chan seen, 10)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.RequestURI, r.Host, r.Header.Get("Content-Type"), r.Header.Get("Webhook-Id"),
			r.Header.Get("Content-Length"), string(b)}
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/hooks/verity?src=verity")
	s := newSender(2*time.Second, true, 4)
	for i := range 5 {
		status, _, err := postOnce(t, s, u, `{"n":`+strings.Repeat("1", i+1)+`}`)
		if err != nil || status != http.StatusNoContent {
			t.Fatalf("try %d: %d %v", i, status, err)
		}
		body := `{"n":` + strings.Repeat("1", i+1) + `}`
		want := seen{"/hooks/verity?src=verity", u.Host, ContentType, "evt-1", strconv.Itoa(len(body)), body}
		if g := <-got; g != want {
			t.Fatalf("try %d arrived as %+v, want %+v", i, g, want)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("5 tries opened %d connections, want 1", n)
	}
}

// A kept connection the receiver has closed meanwhile is not a failed try:
// the try goes on a new connection and arrives once.
func TestSenderReplacesAClosedConnection(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n.Add(1)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/h")
	s := newSender(2*time.Second, true, 4)
	if status, _, err := postOnce(t, s, u, "{}"); err != nil || status != 200 {
		t.Fatalf("first try: %d %v", status, err)
	}
	srv.CloseClientConnections()
	time.Sleep(20 * time.Millisecond) // the close reaches the sender's side
	if status, _, err := postOnce(t, s, u, "{}"); err != nil || status != 200 {
		t.Fatalf("try after the receiver closed the kept connection: %d %v", status, err)
	}
	if got := n.Load(); got != 2 {
		t.Fatalf("the receiver got %d requests, want 2", got)
	}
}

// Answers as receivers give them: an interim 100 before the final answer;
// a chunked error answer, its text kept and the connection too; "Connection:
// close" honoured; an answer longer than the limit cut and its connection
// dropped.
func TestSenderReadsAnswers(t *testing.T) {
	answers := []string{
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nboom\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
		"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 10000\r\n\r\n" + strings.Repeat("z", 10000),
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	}
	rr := newRawReceiver(t, func(n int, w io.Writer) bool {
		_, _ = io.WriteString(w, answers[n-1])
		return !strings.Contains(answers[n-1], "Connection: close")
	})
	s := newSender(2*time.Second, true, 4)
	type result struct {
		status  int
		text    string
		accepts int32
	}
	want := []result{
		{204, "", 1},
		{500, "boom", 1}, // kept after a chunked answer
		{200, "", 1},     // then closed, as asked
		{503, strings.Repeat("z", MaxResponseBody), 2}, // a new connection; cut at the limit
		{200, "", 3}, // the long answer's connection was not kept
	}
	for i, w := range want {
		status, text, err := postOnce(t, s, rr.URL, "{}")
		got := result{status, text, rr.accepts.Load()}
		if err != nil || got != w {
			t.Fatalf("answer %d: %d %q (%d connections) %v, want %d %.10q (%d)", i, status, text, got.accepts, err, w.status, w.text, w.accepts)
		}
	}
}

// A receiver cannot make a try wait past the timeout, nor read without end.
func TestSenderLimits(t *testing.T) {
	t.Run("no answer", func(t *testing.T) {
		rr := newRawReceiver(t, func(int, io.Writer) bool { time.Sleep(2 * time.Second); return false })
		s := newSender(200*time.Millisecond, true, 4)
		start := time.Now()
		_, _, err := postOnce(t, s, rr.URL, "{}")
		if !isTimeout(err) || time.Since(start) > time.Second {
			t.Fatalf("a silent receiver: %v after %v", err, time.Since(start))
		}
	})
	t.Run("endless header", func(t *testing.T) {
		rr := newRawReceiver(t, func(_ int, w io.Writer) bool {
			_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\n")
			line := "X-Filler: " + strings.Repeat("f", 1000) + "\r\n"
			for range 1000 {
				if _, err := io.WriteString(w, line); err != nil {
					break
				}
			}
			return false
		})
		s := newSender(5*time.Second, true, 4)
		_, _, err := postOnce(t, s, rr.URL, "{}")
		if !errors.Is(err, errAnswerTooLong) {
			t.Fatalf("a 1 MB header: %v, want %v", err, errAnswerTooLong)
		}
	})
}

// https receivers get TLS, verified against the roots given (the system's
// by default): an unknown certificate fails the try.
func TestSenderTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/hooks")
	if _, _, err := postOnce(t, newSender(2*time.Second, true, 4), u, "{}"); err == nil {
		t.Fatal("a certificate no root vouches for was accepted")
	}
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	s := newSender(2*time.Second, true, 4)
	s.tlsConfig = &tls.Config{RootCAs: roots}
	for range 2 {
		if status, _, err := postOnce(t, s, u, "{}"); err != nil || status != http.StatusAccepted {
			t.Fatalf("https try: %d %v", status, err)
		}
	}
	if n := len(s.idle); n != 1 {
		t.Fatalf("%d receivers with kept connections, want 1", n)
	}
}

// Connections unused for idleFor are closed, not kept for a receiver no
// longer sent to.
func TestSenderClosesIdleConnections(t *testing.T) {
	rr := newRawReceiver(t, func(_ int, w io.Writer) bool {
		_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
		return true
	})
	other := newRawReceiver(t, func(_ int, w io.Writer) bool {
		_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
		return true
	})
	s := newSender(2*time.Second, true, 4)
	if _, _, err := postOnce(t, s, rr.URL, "{}"); err != nil {
		t.Fatal(err)
	}
	key, _, _ := hostKey(rr.URL)
	s.mu.Lock()
	old := s.idle[key][0]
	old.lastUsed = time.Now().Add(-idleFor - time.Second)
	s.lastSweep = time.Time{}
	s.mu.Unlock()
	if _, _, err := postOnce(t, s, other.URL, "{}"); err != nil { // a try elsewhere sweeps
		t.Fatal(err)
	}
	if _, ok := s.idle[key]; ok {
		t.Fatal("an idle connection outlived idleFor")
	}
	if _, err := old.conn.Write([]byte("x")); err == nil {
		t.Fatal("the swept connection is still open")
	}
}

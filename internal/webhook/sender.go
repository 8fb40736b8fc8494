package webhook

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// sender makes the tries' POSTs: HTTP/1.1 on connections it keeps per
// receiver, each try written and answered on the try's own goroutine.
// net/http's client runs two goroutines per connection (one writing, one
// reading) and hands every request and answer between them; a delivery needs
// none of what that buys (HTTP/2, proxies, redirects — refused anyway —,
// cookies, a body streamed while the answer arrives), and the hand-offs cost
// ~36 µs of `verity serve`'s CPU per subscribed write (docs/webhooks.md).
// The answer is parsed by net/http's own reader (http.ReadResponse).
type sender struct {
	timeout   time.Duration
	dialer    *net.Dialer
	tlsConfig *tls.Config // nil: the system's roots
	maxIdle   int         // idle connections kept per receiver

	mu        sync.Mutex
	idle      map[string][]*senderConn // by scheme://host:port
	lastSweep time.Time
}

// Limits of a try's connection.
const (
	// idleFor is how long an unused connection is kept.
	idleFor = 50 * time.Second
	// answerBudget is the most a try reads from the receiver, header
	// included: a receiver cannot make the worker buffer without end.
	answerBudget = 64 << 10
)

// senderConn is one kept connection. Its reads are counted against the
// current try's budget.
type senderConn struct {
	conn     net.Conn
	r        *bufio.Reader
	budget   int64
	lastUsed time.Time
}

var errAnswerTooLong = errors.New("the receiver's answer is longer than 64 KiB")

func (c *senderConn) Read(p []byte) (int, error) {
	if c.budget <= 0 {
		return 0, errAnswerTooLong
	}
	if int64(len(p)) > c.budget {
		p = p[:c.budget]
	}
	n, err := c.conn.Read(p)
	c.budget -= int64(n)
	return n, err
}

// newSender is the delivery sender: a per-try timeout, no proxy, no
// redirects (a 3xx is a failed try), and — unless allowPrivate — a dialer
// that refuses forbidden addresses after DNS, so a name that resolved to a
// public address at registration cannot be rebound to an internal one.
func newSender(timeout time.Duration, allowPrivate bool, conns int) *sender {
	d := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || Forbidden(ap.Addr()) {
				return errForbiddenAddress
			}
			return nil
		}
	}
	return &sender{timeout: timeout, dialer: d, maxIdle: conns, idle: map[string][]*senderConn{}}
}

// Outcomes of a round trip that are not the try's error.
var (
	// errStaleConn: a kept connection the receiver had closed before it
	// answered; the try goes again on a new connection.
	errStaleConn = errors.New("webhook: kept connection closed by the receiver")
	// errNotKept: the try is answered, but its connection cannot be kept.
	errNotKept = errors.New("webhook: connection not kept")
)

// post sends body to u with the headers h (their names as written) and
// answers the status and, unless it is 2xx, up to limit bytes of the
// answer's body (a 2xx answer's body is read through and dropped). The
// whole try, connecting included, has the sender's timeout.
func (s *sender) post(ctx context.Context, u *url.URL, h http.Header, body []byte, limit int64) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	key, addr, err := hostKey(u)
	if err != nil {
		return 0, nil, err
	}
	for {
		c, reused := s.get(key)
		if c == nil {
			if c, err = s.dial(ctx, u, addr); err != nil {
				return 0, nil, err
			}
		}
		status, text, err := s.roundTrip(ctx, c, u, h, body, limit, reused)
		switch {
		case errors.Is(err, errStaleConn):
			c.conn.Close()
			continue // each kept connection is tried at most once, then a new one
		case err == nil:
			s.put(key, c)
		default:
			c.conn.Close()
			if errors.Is(err, errNotKept) {
				err = nil
			}
		}
		return status, text, err
	}
}

// roundTrip writes the request on c and reads the answer: err is nil when
// the connection may be kept, errNotKept when the answer is read but the
// connection cannot be (the receiver closes it, or its answer is longer
// than limit), errStaleConn when a kept connection turns out closed before
// any answer.
func (s *sender) roundTrip(ctx context.Context, c *senderConn, u *url.URL, h http.Header, body []byte, limit int64, reused bool) (int, []byte, error) {
	deadline, _ := ctx.Deadline()
	if err := c.conn.SetDeadline(deadline); err != nil {
		return 0, nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Unix(1, 0)) }) // the caller's context ends the try too
	defer stop()
	c.budget = answerBudget
	if _, err := (&net.Buffers{requestHead(u, h, len(body)), body}).WriteTo(c.conn); err != nil {
		if reused {
			return 0, nil, errStaleConn
		}
		return 0, nil, err
	}
	if reused {
		if _, err := c.r.Peek(1); err != nil && !isTimeout(err) {
			return 0, nil, errStaleConn
		}
	}
	for {
		resp, err := http.ReadResponse(c.r, nil)
		if err != nil {
			return 0, nil, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			continue // an interim answer (100 Continue): the final one follows
		}
		var text []byte
		if delivered(resp.StatusCode) { // its text is not kept
			_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, limit))
		} else {
			text, err = io.ReadAll(io.LimitReader(resp.Body, limit))
		}
		if err != nil || resp.Close || !bodyEnded(resp.Body) { // answered, as far as it was read
			return resp.StatusCode, text, errNotKept
		}
		return resp.StatusCode, text, nil
	}
}

// requestHead is the request line and header of a POST of n bytes to u.
// Header values come from the service (event ids, timestamps, signatures)
// and the URL from url.Parse, which refuses control characters: nothing
// can break a line.
func requestHead(u *url.URL, h http.Header, n int) []byte {
	b := make([]byte, 0, 512)
	b = append(b, "POST "...)
	b = append(b, u.RequestURI()...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, u.Host...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, "\r\n"...)
	for name, values := range h {
		for _, v := range values {
			b = append(append(append(append(b, name...), ": "...), v...), "\r\n"...)
		}
	}
	return append(b, "\r\n"...)
}

// bodyEnded tells whether an answer's body was read to its end, so that the
// connection is at the next answer's first byte.
func bodyEnded(b io.Reader) bool {
	var one [1]byte
	n, err := b.Read(one[:])
	return n == 0 && err == io.EOF
}

// isTimeout tells a deadline passing from a closed connection.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// hostKey answers u's pool key and the address to dial.
func hostKey(u *url.URL) (key, addr string, err error) {
	port := u.Port()
	switch u.Scheme {
	case "https":
		if port == "" {
			port = "443"
		}
	case "http":
		if port == "" {
			port = "80"
		}
	default:
		return "", "", fmt.Errorf("unsupported scheme %q", u.Scheme)
	}
	addr = net.JoinHostPort(u.Hostname(), port)
	return u.Scheme + "://" + addr, addr, nil
}

// dial opens a connection to addr: TLS for https (HTTP/1.1 by ALPN).
func (s *sender) dial(ctx context.Context, u *url.URL, addr string) (*senderConn, error) {
	conn, err := s.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "https" {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if s.tlsConfig != nil {
			cfg = s.tlsConfig.Clone()
		}
		cfg.ServerName = u.Hostname()
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		conn = tc
	}
	c := &senderConn{conn: conn}
	c.r = bufio.NewReaderSize(c, 4<<10)
	return c, nil
}

// get takes a kept connection to key, the most recently used first.
func (s *sender) get(key string) (c *senderConn, reused bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.idle[key]
	for len(list) > 0 {
		c = list[len(list)-1]
		list[len(list)-1] = nil
		list = list[:len(list)-1]
		if time.Since(c.lastUsed) < idleFor {
			s.idle[key] = list
			return c, true
		}
		c.conn.Close()
	}
	delete(s.idle, key)
	return nil, false
}

// put keeps c for the next try to key (or closes it when enough are kept),
// and now and then closes the connections unused for idleFor, so that a
// receiver no longer sent to does not keep them open.
func (s *sender) put(key string, c *senderConn) {
	now := time.Now()
	c.lastUsed = now
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.lastSweep) >= idleFor {
		s.lastSweep = now
		for k, list := range s.idle {
			kept := list[:0]
			for _, ic := range list {
				if now.Sub(ic.lastUsed) < idleFor {
					kept = append(kept, ic)
				} else {
					ic.conn.Close()
				}
			}
			if clear(list[len(kept):]); len(kept) == 0 {
				delete(s.idle, k)
			} else {
				s.idle[k] = kept
			}
		}
	}
	if len(s.idle[key]) >= s.maxIdle {
		c.conn.Close()
		return
	}
	s.idle[key] = append(s.idle[key], c)
}

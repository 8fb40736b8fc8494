package main

// The timed scenarios' HTTP client: one HTTP/1.1 keep-alive connection per
// worker, requests written from a reused buffer, answers parsed in place
// (status line, the headers that frame the body, the body read whole) — the
// way wrk drives a server, so the load generator's own CPU per request stays
// small beside the server's on the shared cores. Setup (the working set,
// sign-in, records, documents) keeps net/http.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

// leanConn is one worker's connection to the server; not safe for
// concurrent use.
type leanConn struct {
	addr     string // host:port
	host     string // the Host header
	cookie   string // a Cookie header to send with each request, or ""
	deadline time.Time
	conn     net.Conn
	r        *bufio.Reader
	wbuf     []byte
	body     []byte
	used     bool // the connection has answered a request before
}

// newLeanConn returns a client for base (http://host:port) that sends
// cookie with every request and gives up on any I/O after deadline.
func newLeanConn(base, cookie string, deadline time.Time) (*leanConn, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("lean client: %s: only http", base)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return &leanConn{addr: addr, host: u.Host, cookie: cookie, deadline: deadline}, nil
}

// Close closes the connection.
func (c *leanConn) Close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn, c.used = nil, false
	}
}

func (c *leanConn) dial() error {
	conn, err := net.DialTimeout("tcp", c.addr, 10*time.Second)
	if err != nil {
		return err
	}
	if err := conn.SetDeadline(c.deadline); err != nil {
		conn.Close()
		return err
	}
	c.conn, c.used = conn, false
	if c.r == nil {
		c.r = bufio.NewReaderSize(conn, 32<<10)
	} else {
		c.r.Reset(conn)
	}
	return nil
}

// do sends one request and reads its answer whole; the body returned is
// valid until the next call. A request that finds its kept-alive connection
// closed by the server before any answer arrived is sent once more on a new
// one, as net/http does.
func (c *leanConn) do(method, path, key string, body []byte) (int, []byte, error) {
	c.wbuf = appendRequest(c.wbuf[:0], method, path, c.host, key, c.cookie, body)
	for attempt := 0; ; attempt++ {
		if c.conn == nil {
			if err := c.dial(); err != nil {
				return 0, nil, err
			}
		}
		reused := c.used
		status, respBody, started, err := c.roundTrip()
		if err == nil {
			return status, respBody, nil
		}
		c.Close()
		if !reused || started || attempt > 0 {
			return 0, nil, err
		}
	}
}

// appendRequest appends an HTTP/1.1 request to b.
func appendRequest(b []byte, method, path, host, key, cookie string, body []byte) []byte {
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\nUser-Agent: verity-load\r\n"...)
	if key != "" {
		b = append(b, "Authorization: Bearer "...)
		b = append(b, key...)
		b = append(b, "\r\n"...)
	}
	if cookie != "" {
		b = append(b, "Cookie: "...)
		b = append(b, cookie...)
		b = append(b, "\r\n"...)
	}
	if body != nil {
		b = append(b, "Content-Type: application/json\r\nContent-Length: "...)
		b = strconv.AppendInt(b, int64(len(body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, body...)
}

// roundTrip writes c.wbuf and reads the answer; started reports that some
// of the answer had arrived when an error ended it.
func (c *leanConn) roundTrip() (status int, body []byte, started bool, err error) {
	if _, err = c.conn.Write(c.wbuf); err != nil {
		return 0, nil, false, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, len(line) > 0, err
	}
	started = true
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, nil, true, fmt.Errorf("malformed status line %q", line)
	}
	if status = atoiBytes(line[9:12]); status < 0 {
		return 0, nil, true, fmt.Errorf("malformed status line %q", line)
	}
	length, chunked, closing := int64(-1), false, line[7] == '0' // HTTP/1.0 closes by default
	for {
		line, err = c.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, true, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			return 0, nil, true, fmt.Errorf("malformed header %q", line)
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length = int64(atoiBytes(value)); length < 0 {
				return 0, nil, true, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	c.body = c.body[:0]
	switch {
	case status == 204 || status == 304 || status < 200:
	case chunked:
		err = c.readChunked()
	case length >= 0:
		err = c.readN(length)
	default: // until the server closes
		c.body, err = appendAll(c.body, c.r)
		closing = true
	}
	if err != nil {
		return 0, nil, true, err
	}
	c.used = true
	if closing {
		c.Close()
	}
	return status, c.body, true, nil
}

// readN appends the next n bytes to c.body.
func (c *leanConn) readN(n int64) error {
	start := len(c.body)
	if int64(cap(c.body)-start) < n {
		grown := make([]byte, start, start+int(n))
		copy(grown, c.body)
		c.body = grown
	}
	c.body = c.body[:start+int(n)]
	_, err := io.ReadFull(c.r, c.body[start:])
	return err
}

// readChunked appends a chunked body to c.body and skips its trailer.
func (c *leanConn) readChunked() error {
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("bad chunk size %q", line)
		}
		if n == 0 {
			for { // trailer, up to the empty line
				line, err := c.r.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if err := c.readN(n); err != nil {
			return err
		}
		if crlf, err := c.r.ReadSlice('\n'); err != nil {
			return err
		} else if len(bytes.TrimRight(crlf, "\r\n")) != 0 {
			return errors.New("chunk not followed by CRLF")
		}
	}
}

func appendAll(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// atoiBytes parses a non-negative decimal number of at most 9 digits; -1
// if b is not one.
func atoiBytes(b []byte) int {
	if len(b) == 0 || len(b) > 9 {
		return -1
	}
	n := 0
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return -1
		}
		n = n*10 + int(ch-'0')
	}
	return n
}

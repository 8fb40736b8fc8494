package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestLeanClientReadsEveryFraming sends requests through the lean client to
// a net/http server that answers with a Content-Length, chunked, empty and
// connection-closing bodies, and checks the server saw the request as sent
// (method, path, credentials, cookie, body) and the client read each answer
// whole, on one connection while the server keeps it alive.
func TestLeanClientReadsEveryFraming(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 5000) // larger than the read buffer
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		echo := fmt.Sprintf("%s %s auth=%q cookie=%q type=%q body=%q", r.Method, r.URL.RequestURI(),
			r.Header.Get("Authorization"), r.Header.Get("Cookie"), r.Header.Get("Content-Type"), b)
		switch r.URL.Path {
		case "/length":
			w.Header().Set("ETag", `"7"`)
			_, _ = io.WriteString(w, echo)
		case "/chunked":
			_, _ = io.WriteString(w, echo)
			w.(http.Flusher).Flush() // no Content-Length: the rest goes chunked
			_, _ = io.WriteString(w, big)
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/close":
			w.Header().Set("Connection", "close")
			_, _ = io.WriteString(w, echo)
		case "/missing":
			http.Error(w, "no such customer", http.StatusNotFound)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	c, err := newLeanConn(srv.URL, "session=abc; csrf=x", time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	check := func(method, path, key string, body []byte, wantStatus int, want string) {
		t.Helper()
		status, got, err := c.do(method, path, key, body)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		if status != wantStatus || string(got) != want {
			t.Fatalf("%s %s: %d %.200q, want %d %.200q", method, path, status, got, wantStatus, want)
		}
	}
	for pass := 0; pass < 2; pass++ {
		check("GET", "/length?q=m%C3%BCller", "k1", nil, 200,
			`GET /length?q=m%C3%BCller auth="Bearer k1" cookie="session=abc; csrf=x" type="" body=""`)
		check("PUT", "/chunked", "k2", []byte(`{"status":"REJECTED"}`), 200,
			`PUT /chunked auth="Bearer k2" cookie="session=abc; csrf=x" type="application/json" body="{\"status\":\"REJECTED\"}"`+big)
		check("GET", "/empty", "k1", nil, 204, "")
		check("GET", "/missing", "k1", nil, 404, "no such customer\n")
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for requests on a kept-alive one, want 1", n)
	}
	check("GET", "/close", "", nil, 200, `GET /close auth="" cookie="session=abc; csrf=x" type="" body=""`)
	check("GET", "/length", "", nil, 200, `GET /length auth="" cookie="session=abc; csrf=x" type="" body=""`)
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections after the server closed one, want 2", n)
	}
}

// TestLeanClientSendsAgainWhenAnIdleConnectionWasClosed: a server that
// closes a kept-alive connection between two requests (its idle timeout)
// gets the second request again on a new connection, not an error; a
// connection that breaks in the middle of an answer is an error.
func TestLeanClientSendsAgainWhenAnIdleConnectionWasClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int64
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			n := accepted.Add(1)
			go func(conn net.Conn) {
				defer conn.Close()
				buf := make([]byte, 4096)
				if _, err := conn.Read(buf); err != nil {
					return
				}
				switch {
				case n == 3: // half an answer, then gone
					_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"))
				default: // one answer, then closed as if idle
					_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
					time.Sleep(50 * time.Millisecond)
				}
			}(conn)
		}
	}()
	c, err := newLeanConn("http://"+ln.Addr().String(), "", time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 2; i++ {
		status, b, err := c.do("GET", "/x", "k", nil)
		if err != nil || status != 200 || !bytes.Equal(b, []byte("ok")) {
			t.Fatalf("request %d: %d %q %v", i, status, b, err)
		}
		time.Sleep(100 * time.Millisecond) // the server has closed it by now
	}
	if n := accepted.Load(); n != 2 {
		t.Fatalf("%d connections, want 2", n)
	}
	if _, _, err := c.do("GET", "/x", "k", nil); err == nil {
		t.Fatal("an answer cut short was not an error")
	}
}

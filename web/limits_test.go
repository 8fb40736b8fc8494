package web_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/web"
	"github.com/verity-kyb/verity/web/webtest"
)

// signIns counts successful sign-ins: the proof that the handler ran.
func signIns(t *testing.T, s *edgeSite) int {
	t.Helper()
	var n int
	if err := s.DB.Get(&n, `SELECT count(*) FROM audit_entries WHERE action = 'auth.login'`); err != nil {
		t.Fatal(err)
	}
	return n
}

// signInForm is a sign-in that would succeed, padded to size bytes.
func signInForm(s *edgeSite, c *webtest.Client, size int) string {
	v := url.Values{"email": {s.Users["officer"].Email}, "password": {webtest.Password}, "_csrf": {c.CSRF}}
	body := v.Encode()
	if pad := size - len(body) - len("&pad="); pad > 0 {
		body += "&pad=" + strings.Repeat("x", pad)
	}
	return body
}

func TestBodyLimits(t *testing.T) {
	s := newEdgeSite(t, siteOptions{})

	t.Run("OK_AFormJustUnderTheLimitIsServed", func(t *testing.T) {
		c := s.Anonymous()
		req := c.Request(http.MethodPost, "/sign-in", strings.NewReader(signInForm(s, c, web.MaxFormBody)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r := c.Do(req); r.Status != http.StatusSeeOther {
			t.Fatalf("status %d, want 303", r.Status)
		}
	})

	t.Run("ErrOversizedFormIs413WithoutReachingTheHandler", func(t *testing.T) {
		c := s.Anonymous()
		before := signIns(t, s)
		for _, chunked := range []bool{false, true} {
			var body io.Reader = strings.NewReader(signInForm(s, c, web.MaxFormBody+1))
			if chunked { // no Content-Length: the limit must hold while reading
				body = io.MultiReader(body)
			}
			req := c.Request(http.MethodPost, "/sign-in", body)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if r := c.Do(req); r.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("chunked=%v: status %d, want 413", chunked, r.Status)
			}
		}
		if n := signIns(t, s); n != before {
			t.Errorf("an oversized sign-in form signed in (%d → %d sign-ins)", before, n)
		}
	})

	t.Run("ErrMultipartIs415", func(t *testing.T) {
		c := s.Anonymous()
		before := signIns(t, s)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("email", s.Users["officer"].Email)
		_ = mw.WriteField("password", webtest.Password)
		_ = mw.WriteField("_csrf", c.CSRF)
		fw, _ := mw.CreateFormFile("file", "big.bin")
		_, _ = fw.Write(bytes.Repeat([]byte{'z'}, 32<<10))
		_ = mw.Close()
		req := c.Request(http.MethodPost, "/sign-in", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if r := c.Do(req); r.Status != http.StatusUnsupportedMediaType {
			t.Fatalf("status %d, want 415", r.Status)
		}
		if n := signIns(t, s); n != before {
			t.Errorf("a multipart sign-in form signed in")
		}
	})

	t.Run("ErrAPIBodyOverOneMiBIs413", func(t *testing.T) {
		c := s.Anonymous()
		req := c.Request(http.MethodPost, "/platform/v1/customers", strings.NewReader(`{"x":"`+strings.Repeat("a", 1<<20)+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.APIKey(access.RoleAdmin))
		if r := c.Do(req); r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, `"body_too_large"`) {
			t.Fatalf("status %d %s, want 413 body_too_large", r.Status, clip(r.Body))
		}
	})
}

func TestSlowBodyIsCutOffByReadTimeout(t *testing.T) {
	s := newEdgeSite(t, siteOptions{timeouts: web.Timeouts{ReadHeader: time.Second, Read: time.Second, Write: 3 * time.Second}})
	u, _ := url.Parse(s.URL)
	for _, path := range []string{"/sign-in", "/platform/v1/customers"} {
		t.Run(path, func(t *testing.T) {
			conn, err := net.Dial("tcp", u.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// Headers promise 1,000 bytes; ten arrive, then nothing.
			_, err = io.WriteString(conn, "POST "+path+" HTTP/1.1\r\nHost: "+u.Host+"\r\n"+
				"Content-Type: application/x-www-form-urlencoded\r\nAuthorization: Bearer x\r\nContent-Length: 1000\r\n\r\nemail=abcd")
			if err != nil {
				t.Fatal(err)
			}
			// A guard so that a server without ReadTimeout fails the test
			// instead of hanging it; the server must give up long before.
			_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err == nil {
				_, err = io.Copy(io.Discard, res.Body) // then the server closes the connection
				if err == nil {
					err = io.EOF
				}
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal("the server was still waiting for the body after 20 s")
			}
			if res != nil && res.StatusCode < 400 {
				t.Errorf("status %d for a body that never arrived", res.StatusCode)
			}
		})
	}
}

func clip(s string) string {
	if len(s) > 500 {
		return s[:500] + "…"
	}
	return s
}

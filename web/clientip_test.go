package web_test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/web/webtest"
)

// failedSignIn posts a wrong password for a fresh e-mail (so no per-account
// limit is involved) with the given X-Forwarded-For.
func failedSignIn(c *webtest.Client, i int, xff string) int {
	v := url.Values{"email": {fmt.Sprintf("nobody%d@verity.test", i)}, "password": {"wrong password"}, "_csrf": {c.CSRF}}
	req := c.Request(http.MethodPost, "/sign-in", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	return c.Do(req).Status
}

// auditedSignInIPs is every address the audit trail recorded for failed sign-ins.
func auditedSignInIPs(t *testing.T, s *edgeSite) map[string]bool {
	t.Helper()
	var ips []string
	if err := s.DB.Select(&ips, `SELECT DISTINCT coalesce(subject, '') FROM audit_entries WHERE action = 'auth.login_failed'`); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, ip := range ips {
		out[ip] = true
	}
	return out
}

func TestClientIP(t *testing.T) {
	t.Run("ErrRotatingForwardedForFromAnUntrustedPeerStillHitsThePerIPLimit", func(t *testing.T) {
		s := newEdgeSite(t, siteOptions{})
		c := s.Anonymous()
		limited := false
		for i := 0; i < 500 && !limited; i++ { // stops at the first 429 (today the 6th)
			limited = failedSignIn(c, i, fmt.Sprintf("198.51.100.%d", i%250+1)) == http.StatusTooManyRequests
		}
		if !limited {
			t.Fatal("500 failed sign-ins from one peer with a new X-Forwarded-For each were never throttled")
		}
		ips := auditedSignInIPs(t, s)
		if len(ips) != 1 || !ips["127.0.0.1"] {
			t.Errorf("audit recorded %v, want only the peer address 127.0.0.1", ips)
		}
	})

	t.Run("OK_TrustedProxyForwardsTheClientAddress", func(t *testing.T) {
		s := newEdgeSite(t, siteOptions{config: func(c *config.Config) {
			c.TrustedProxies = mustProxies(t, "127.0.0.1")
		}})
		c := s.Anonymous()
		if st := failedSignIn(c, 1, "203.0.113.7"); st != http.StatusUnauthorized {
			t.Fatalf("status %d", st)
		}
		// A forged address prepended by the client is skipped: the first
		// untrusted hop from the right is the client as the proxy saw it.
		if st := failedSignIn(c, 2, "192.0.2.66, 203.0.113.8"); st != http.StatusUnauthorized {
			t.Fatalf("status %d", st)
		}
		ips := auditedSignInIPs(t, s)
		if len(ips) != 2 || !ips["203.0.113.7"] || !ips["203.0.113.8"] {
			t.Errorf("audit recorded %v, want the forwarded client addresses 203.0.113.7 and 203.0.113.8", ips)
		}
	})

	t.Run("ErrLoopbackIsNotTrustedUnlessListed", func(t *testing.T) {
		s := newEdgeSite(t, siteOptions{config: func(c *config.Config) {
			c.TrustedProxies = mustProxies(t, "10.0.0.0/8")
		}})
		c := s.Anonymous()
		failedSignIn(c, 1, "203.0.113.7")
		if ips := auditedSignInIPs(t, s); len(ips) != 1 || !ips["127.0.0.1"] {
			t.Errorf("audit recorded %v, want the peer 127.0.0.1 (not a trusted proxy)", ips)
		}
	})
}

func mustProxies(t *testing.T, v string) []*net.IPNet {
	t.Helper()
	n, err := config.ParseTrustedProxies(v)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

package web_test

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/web"
	"github.com/verity-kyb/verity/web/webtest"
)

const metricsToken = "test-metrics-token-0123456789"

func withMetricsToken(c *config.Config) { c.MetricsToken = metricsToken }

func scrape(t *testing.T, c *webtest.Client) string {
	t.Helper()
	req := c.Request(http.MethodGet, "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	r := c.Do(req)
	if r.Status != http.StatusOK {
		t.Fatalf("/metrics: %d", r.Status)
	}
	return r.Body
}

var seriesLine = regexp.MustCompile(`(?m)^verity_http_request_duration_seconds_count\{method="([^"]*)",route="([^"]*)",status="([^"]*)"\}`)

func TestMetricsLabelsAreBounded(t *testing.T) {
	s := newEdgeSite(t, siteOptions{config: withMetricsToken})
	c := s.Anonymous()
	rnd := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('A' + rnd.IntN(26))
		}
		return string(b)
	}
	// Made-up methods on made-up paths, pages and API alternately.
	burst := func() {
		for i := 0; i < 1000; i++ {
			path := "/zz-" + word(12) + "/" + word(8)
			if i%2 == 1 {
				path = "/platform/v1/" + word(12)
			}
			c.Do(c.Request("X"+word(10), path, nil))
		}
	}
	scrape(t, c) // the scrape itself is a series too
	burst()
	first := scrape(t, c)
	burst()
	second := scrape(t, c)

	n1, n2 := len(seriesLine.FindAllString(first, -1)), len(seriesLine.FindAllString(second, -1))
	if n2 != n1 {
		t.Errorf("1,000 more made-up requests grew the series from %d to %d", n1, n2)
	}
	if len(second) > 200<<10 {
		t.Errorf("metrics output is %d bytes", len(second))
	}
	methods := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true, "other": true}
	for _, m := range seriesLine.FindAllStringSubmatch(second, -1) {
		method, route := m[1], m[2]
		if !methods[method] {
			t.Errorf("method label %q is not one of the fixed set", method)
		}
		if route != "unmatched" && (strings.Contains(route, "zz-") || !strings.HasPrefix(route, "/")) {
			t.Errorf("route label %q is a raw path, not a route template", route)
		}
	}
	if !strings.Contains(second, `method="other",route="unmatched"`) {
		t.Errorf("made-up requests are not counted as other/unmatched:\n%s", clip(second))
	}
}

func TestMetricsAccess(t *testing.T) {
	t.Run("ErrNotServedWithoutTokenOrAddress", func(t *testing.T) {
		s := newEdgeSite(t, siteOptions{})
		// Anonymous visitors of an unknown page are sent to sign in; staff get 404.
		c := s.Anonymous()
		if r := c.Do(c.Request(http.MethodGet, "/metrics", nil)); r.Status == http.StatusOK || strings.Contains(r.Body, "verity_http") {
			t.Fatalf("anonymous: status %d, metrics served", r.Status)
		}
		c = s.SignIn("admin")
		req := c.Request(http.MethodGet, "/metrics", nil)
		req.Header.Set("Authorization", "Bearer anything")
		if r := c.Do(req); r.Status != http.StatusNotFound || strings.Contains(r.Body, "verity_http") {
			t.Fatalf("signed in: status %d, want 404", r.Status)
		}
	})
	t.Run("WithToken", func(t *testing.T) {
		s := newEdgeSite(t, siteOptions{config: withMetricsToken})
		c := s.Anonymous()
		for name, auth := range map[string]string{"ErrNoToken": "", "ErrWrongToken": "Bearer " + metricsToken + "x", "ErrBasic": "Basic " + metricsToken} {
			req := c.Request(http.MethodGet, "/metrics", nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			if r := c.Do(req); r.Status != http.StatusUnauthorized || strings.Contains(r.Body, "verity_http") {
				t.Errorf("%s: status %d, want 401", name, r.Status)
			}
		}
		if body := scrape(t, c); !strings.Contains(body, "verity_http_request_duration_seconds") {
			t.Errorf("OK: no request metrics in\n%s", clip(body))
		}
	})
	t.Run("SeparateListener", func(t *testing.T) {
		for _, token := range []string{"", metricsToken} {
			srv := web.MetricsServer(config.Config{MetricsAddr: "127.0.0.1:0", MetricsToken: token}, web.Timeouts{})
			ts := httptest.NewServer(srv.Handler)
			get := func(path, auth string) int {
				req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
				if auth != "" {
					req.Header.Set("Authorization", "Bearer "+auth)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				return res.StatusCode
			}
			if st := get("/metrics", token); st != http.StatusOK {
				t.Errorf("token %q: /metrics %d, want 200", token, st)
			}
			if st := get("/customers", token); st != http.StatusNotFound {
				t.Errorf("token %q: /customers on the metrics listener %d, want 404", token, st)
			}
			if token != "" {
				if st := get("/metrics", ""); st != http.StatusUnauthorized {
					t.Errorf("metrics listener with a token set: no token %d, want 401", st)
				}
			}
			ts.Close()
		}
		if web.MetricsServer(config.Config{}, web.Timeouts{}) != nil {
			t.Errorf("a metrics server without METRICS_ADDR")
		}
	})
}

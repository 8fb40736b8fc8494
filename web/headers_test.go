package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/config"
)

const hsts = "max-age=63072000; includeSubDomains"

func TestHSTS(t *testing.T) {
	t.Run("OK_Production", func(t *testing.T) {
		s := newEdgeSite(t, siteOptions{config: func(c *config.Config) {
			c.Env, c.SessionSecret, c.DatabaseURL = config.EnvProduction, "k3Jd9-vQ2xLm8PzR4tWy7NbC1hGf6SaE", "postgres://x/y"
		}})
		c := s.Anonymous()
		for _, path := range []string{"/sign-in", "/healthz", "/platform/v1/customers"} {
			if got := c.Do(c.Request(http.MethodGet, path, nil)).Header.Get("Strict-Transport-Security"); got != hsts {
				t.Errorf("%s: Strict-Transport-Security %q, want %q", path, got, hsts)
			}
		}
	})
	t.Run("OK_NotInDevelopment", func(t *testing.T) {
		s := newEdgeSite(t, siteOptions{})
		c := s.Anonymous()
		if got := c.Do(c.Request(http.MethodGet, "/sign-in", nil)).Header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("development over plain HTTP sends HSTS %q", got)
		}
	})
}

func TestAPIResponsesAreNotStored(t *testing.T) {
	s := newEdgeSite(t, siteOptions{})
	key := s.APIKey(access.RoleAdmin)
	c := s.Anonymous()
	cases := []struct {
		name, method, path, key string
		status                  int
	}{
		{"OK_List", http.MethodGet, "/platform/v1/customers", key, http.StatusOK},
		{"ErrUnknownCustomer", http.MethodGet, "/platform/v1/customers/8b0f6f6e-3c55-4f0e-9d1b-2f1b8f1f0a11", key, http.StatusNotFound},
		{"ErrNoKey", http.MethodGet, "/platform/v1/customers", "", http.StatusUnauthorized},
		{"ErrUnknownPath", http.MethodGet, "/platform/v1/nothing", key, http.StatusNotFound},
		{"ErrMethod", http.MethodDelete, "/platform/v1/customers", key, http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		req := c.Request(tc.method, tc.path, nil)
		if tc.key != "" {
			req.Header.Set("Authorization", "Bearer "+tc.key)
		}
		r := c.Do(req)
		if r.Status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, r.Status, tc.status)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", tc.name, cc)
		}
	}
}

func TestRequestID(t *testing.T) {
	s := newEdgeSite(t, siteOptions{})
	c := s.Anonymous()
	send := func(id string) string {
		v := url.Values{"email": {"nobody@verity.test"}, "password": {"wrong password"}, "_csrf": {c.CSRF}}
		req := c.Request(http.MethodPost, "/sign-in", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Request-Id", id)
		return c.Do(req).Header.Get("X-Request-Id")
	}
	audited := func() []string {
		var ids []string
		if err := s.DB.Select(&ids, `SELECT coalesce(request_id, '') FROM audit_entries WHERE action = 'auth.login_failed' ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		return ids
	}

	t.Run("OK_ASafeIdIsKept", func(t *testing.T) {
		id := "trace-1234.abc_DEF:42"
		if got := send(id); got != id {
			t.Fatalf("X-Request-Id %q, want %q", got, id)
		}
		if ids := audited(); len(ids) == 0 || ids[len(ids)-1] != id {
			t.Errorf("audit request ids %v, want the last to be %q", ids, id)
		}
	})
	for name, id := range map[string]string{
		"ErrTooLong":     strings.Repeat("a", 5008),
		"ErrJustTooLong": strings.Repeat("b", 65),
		"ErrUnsafe":      "abc<script>alert(1)</script>",
		"ErrSpace":       "two words",
	} {
		t.Run(name, func(t *testing.T) {
			got := send(id)
			if got == id || got == "" || len(got) > 64 || strings.ContainsAny(got, "<> ") {
				t.Fatalf("X-Request-Id %q for a sent %q", clip(got), clip(id))
			}
			if ids := audited(); ids[len(ids)-1] != got {
				t.Errorf("audit stored request id %q, the response said %q", clip(ids[len(ids)-1]), got)
			}
		})
	}
}

func TestAPIMethodNotAllowed(t *testing.T) {
	s := newEdgeSite(t, siteOptions{})
	key := s.APIKey(access.RoleAdmin)
	c := s.Anonymous()
	cases := []struct{ method, path, allow string }{
		{http.MethodDelete, "/platform/v1/customers", "GET, POST"},
		{http.MethodPost, "/platform/v1/customers/8b0f6f6e-3c55-4f0e-9d1b-2f1b8f1f0a11", "GET, PUT, PATCH"},
		{http.MethodGet, "/platform/v1/customers/8b0f6f6e-3c55-4f0e-9d1b-2f1b8f1f0a11/status", "PUT"},
		{"PROPFIND", "/platform/v1/customers/x/history", "GET"},
	}
	for _, tc := range cases {
		for _, withKey := range []bool{false, true} {
			req := c.Request(tc.method, tc.path, nil)
			if withKey {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			r := c.Do(req)
			var env struct {
				Code   string `json:"code"`
				Status int    `json:"status"`
			}
			_ = json.Unmarshal([]byte(r.Body), &env)
			if r.Status != http.StatusMethodNotAllowed || env.Code != "method_not_allowed" || env.Status != 405 {
				t.Errorf("%s %s (key %v): %d %s, want 405 method_not_allowed", tc.method, tc.path, withKey, r.Status, clip(r.Body))
			}
			if got := r.Header.Get("Allow"); got != tc.allow {
				t.Errorf("%s %s (key %v): Allow %q, want %q", tc.method, tc.path, withKey, got, tc.allow)
			}
		}
	}
	// A path that is no endpoint stays 404, with or without a key.
	for _, withKey := range []bool{false, true} {
		req := c.Request(http.MethodGet, "/platform/v1/customer", nil)
		if withKey {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if r := c.Do(req); r.Status != http.StatusNotFound || !strings.Contains(r.Body, `"not_found"`) {
			t.Errorf("unknown endpoint (key %v): %d %s", withKey, r.Status, clip(r.Body))
		}
	}
}

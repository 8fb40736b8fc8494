package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
)

func TestDatabaseOutageIs503(t *testing.T) {
	s := newEdgeSite(t, siteOptions{proxied: true})
	key := s.apiKey(access.RoleAdmin)
	page := s.signIn("officer")
	api := func(path string) result {
		req := page.req(http.MethodGet, "/platform/v1/customers"+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		return page.do(req)
	}
	if r := api(""); r.status != http.StatusOK { // the key is known and cached before the outage
		t.Fatalf("before the outage: API %d", r.status)
	}
	s.proxy.stop()
	ref := "/8b0f6f6e-3c55-4f0e-9d1b-2f1b8f1f0a11" // a lookup that fails must not say "not found"

	check := func(name string, r result, wantJSON bool) {
		t.Helper()
		if r.status != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503; %s", name, r.status, clip(r.body))
		}
		if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 {
			t.Errorf("%s: Retry-After %q", name, r.header.Get("Retry-After"))
		}
		if wantJSON && !strings.Contains(r.body, `"database_unavailable"`) {
			t.Errorf("%s: body %s", name, clip(r.body))
		}
	}
	check("page", page.do(page.req(http.MethodGet, "/customers", nil)), false)
	check("customer page", page.do(page.req(http.MethodGet, "/customers"+ref, nil)), false)
	check("API", api(""), true)
	check("API customer", api(ref), true)
	check("API history", api(ref+"/history"), true)
	anon := s.client()
	check("sign-in", anon.postForm("/sign-in", url.Values{"email": {"officer@verity.test"}, "password": {password}}), false)
}

func TestCSRFTokenNotFromQuery(t *testing.T) {
	s := newEdgeSite(t, siteOptions{})
	c := s.signIn("officer")
	send := func(path string, body url.Values, header string) int {
		req := c.req(http.MethodPost, path, strings.NewReader(body.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if header != "" {
			req.Header.Set("X-CSRF-Token", header)
		}
		return c.do(req).status
	}
	if st := send("/sign-out?_csrf="+url.QueryEscape(c.csrf), url.Values{}, ""); st != http.StatusForbidden {
		t.Fatalf("token in the query string: status %d, want 403", st)
	}
	if r := c.do(c.req(http.MethodGet, "/customers", nil)); r.status != http.StatusOK {
		t.Fatalf("the refused sign-out signed the user out: %d", r.status)
	}
	// The header (htmx) and the form body still work.
	if st := send("/sign-out", url.Values{}, c.csrf); st != http.StatusSeeOther {
		t.Errorf("token in X-CSRF-Token: status %d, want 303", st)
	}
	c = s.signIn("officer")
	if st := send("/sign-out", url.Values{"_csrf": {c.csrf}}, ""); st != http.StatusSeeOther {
		t.Errorf("token in the form body: status %d, want 303", st)
	}
}

func TestFlashesCannotOverflowTheCookie(t *testing.T) {
	s := newEdgeSite(t, siteOptions{})
	c := s.signIn("officer")
	name := strings.Repeat("株", 190) // 570 bytes, within the 200-character name limit
	for i := 0; i < 6; i++ {
		v := url.Values{
			"company.name": {fmt.Sprintf("%s %d", name, i)}, "company.registrationNumber": {fmt.Sprintf("NO-%d", i)},
			"company.taxResidenceCountryCode": {"NO"}, "riskScore": {"HIGH"},
			"company.address.addressLine1": {"Strandkaien 1"}, "company.address.city": {"Bergen"},
			"company.address.postalCode": {"5013"}, "company.address.countryCode": {"NO"},
		}
		r := c.postForm("/customers/new", v)
		if r.status != http.StatusSeeOther {
			t.Fatalf("create %d: status %d; %s", i+1, r.status, clip(r.body))
		}
		for _, sc := range r.header.Values("Set-Cookie") {
			if len(sc) > 3000 {
				t.Errorf("create %d: a %d-byte cookie", i+1, len(sc))
			}
		}
	}
	var n int
	if err := s.DB.Get(&n, `SELECT count(*) FROM customers`); err != nil || n != 6 {
		t.Fatalf("%d customers created (%v), want 6", n, err)
	}
	r := c.do(c.req(http.MethodGet, "/customers", nil))
	if r.status != http.StatusOK || !strings.Contains(r.body, "株") {
		t.Errorf("the page after the creates: %d, no flash shown", r.status)
	}
}

package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/web/webtest"
)

func TestDatabaseOutageIs503(t *testing.T) {
	s := newEdgeSite(t, siteOptions{proxied: true})
	key := s.APIKey(access.RoleAdmin)
	page := s.SignIn("officer")
	api := func(path string) *webtest.Response {
		req := page.Request(http.MethodGet, "/platform/v1/customers"+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		return page.Do(req)
	}
	if r := api(""); r.Status != http.StatusOK { // the key is known and cached before the outage
		t.Fatalf("before the outage: API %d", r.Status)
	}
	s.proxy.stop()
	ref := "/8b0f6f6e-3c55-4f0e-9d1b-2f1b8f1f0a11" // a lookup that fails must not say "not found"

	check := func(name string, r *webtest.Response, wantJSON bool) {
		t.Helper()
		if r.Status != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503; %s", name, r.Status, clip(r.Body))
		}
		if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 {
			t.Errorf("%s: Retry-After %q", name, r.Header.Get("Retry-After"))
		}
		if wantJSON && !strings.Contains(r.Body, `"database_unavailable"`) {
			t.Errorf("%s: body %s", name, clip(r.Body))
		}
	}
	check("page", page.Do(page.Request(http.MethodGet, "/customers", nil)), false)
	check("customer page", page.Do(page.Request(http.MethodGet, "/customers"+ref, nil)), false)
	check("API", api(""), true)
	check("API customer", api(ref), true)
	check("API history", api(ref+"/history"), true)
	anon := s.Anonymous()
	check("sign-in", anon.PostForm("/sign-in", url.Values{"email": {"officer@verity.test"}, "password": {webtest.Password}}), false)
}

func TestCSRFTokenNotFromQuery(t *testing.T) {
	s := newEdgeSite(t, siteOptions{})
	c := s.SignIn("officer")
	send := func(path string, body url.Values, header string) int {
		req := c.Request(http.MethodPost, path, strings.NewReader(body.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if header != "" {
			req.Header.Set("X-CSRF-Token", header)
		}
		return c.Do(req).Status
	}
	if st := send("/sign-out?_csrf="+url.QueryEscape(c.CSRF), url.Values{}, ""); st != http.StatusForbidden {
		t.Fatalf("token in the query string: status %d, want 403", st)
	}
	if r := c.Do(c.Request(http.MethodGet, "/customers", nil)); r.Status != http.StatusOK {
		t.Fatalf("the refused sign-out signed the user out: %d", r.Status)
	}
	// The header (htmx) and the form body still work.
	if st := send("/sign-out", url.Values{}, c.CSRF); st != http.StatusSeeOther {
		t.Errorf("token in X-CSRF-Token: status %d, want 303", st)
	}
	c = s.SignIn("officer")
	if st := send("/sign-out", url.Values{"_csrf": {c.CSRF}}, ""); st != http.StatusSeeOther {
		t.Errorf("token in the form body: status %d, want 303", st)
	}
}

func TestFlashesCannotOverflowTheCookie(t *testing.T) {
	s := newEdgeSite(t, siteOptions{})
	c := s.SignIn("officer")
	name := strings.Repeat("株", 190) // 570 bytes, within the 200-character name limit
	for i := 0; i < 6; i++ {
		v := url.Values{
			"company.name": {fmt.Sprintf("%s %d", name, i)}, "company.registrationNumber": {fmt.Sprintf("NO-%d", i)},
			"company.taxResidenceCountryCode": {"NO"}, "riskScore": {"HIGH"},
			"company.address.addressLine1": {"Strandkaien 1"}, "company.address.city": {"Bergen"},
			"company.address.postalCode": {"5013"}, "company.address.countryCode": {"NO"},
		}
		r := c.PostForm("/customers/new", v)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create %d: status %d; %s", i+1, r.Status, clip(r.Body))
		}
		for _, sc := range r.Header.Values("Set-Cookie") {
			if len(sc) > 3000 {
				t.Errorf("create %d: a %d-byte cookie", i+1, len(sc))
			}
		}
	}
	var n int
	if err := s.DB.Get(&n, `SELECT count(*) FROM customers`); err != nil || n != 6 {
		t.Fatalf("%d customers created (%v), want 6", n, err)
	}
	r := c.Do(c.Request(http.MethodGet, "/customers", nil))
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "株") {
		t.Errorf("the page after the creates: %d, no flash shown", r.Status)
	}
}

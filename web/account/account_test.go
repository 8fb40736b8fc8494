package account_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/web/webtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestSignIn(t *testing.T) {
	s := webtest.New(t)

	t.Run("signed-out visitors are sent to sign in, keeping where they were going", func(t *testing.T) {
		c := s.Anonymous()
		r := c.Get("/customers?q=acme").Want(http.StatusSeeOther)
		if got := r.Location(); got != "/sign-in?next="+url.QueryEscape("/customers?q=acme") {
			t.Fatalf("redirect to %q", got)
		}
		r = c.PostForm("/sign-in", url.Values{"email": {"officer@verity.test"}, "password": {webtest.Password}, "next": {"/customers?q=acme"}})
		r.Want(http.StatusSeeOther)
		if r.Location() != "/customers?q=acme" {
			t.Fatalf("after sign-in went to %q", r.Location())
		}
	})

	t.Run("the session cookie is HttpOnly and SameSite=Lax", func(t *testing.T) {
		c := s.Anonymous()
		r := c.PostForm("/sign-in", url.Values{"email": {"officer@verity.test"}, "password": {webtest.Password}})
		cookie := r.Header.Get("Set-Cookie")
		if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
			t.Fatalf("cookie flags: %s", cookie)
		}
	})

	t.Run("an off-site next is ignored", func(t *testing.T) {
		c := s.Anonymous()
		r := c.PostForm("/sign-in", url.Values{"email": {"officer@verity.test"}, "password": {webtest.Password}, "next": {"//evil.example/x"}})
		if r.Want(http.StatusSeeOther).Location() != "/customers" {
			t.Fatalf("went to %q", r.Location())
		}
	})

	t.Run("a wrong password keeps the e-mail and says nothing about which was wrong", func(t *testing.T) {
		c := s.Anonymous()
		r := c.PostForm("/sign-in", url.Values{"email": {"officer@verity.test"}, "password": {"nope"}}).Want(http.StatusUnauthorized)
		if v, _ := r.Doc.Find(`input[name=email]`).Attr("value"); v != "officer@verity.test" {
			t.Errorf("e-mail not kept: %q", v)
		}
		if v, _ := r.Doc.Find(`input[name=password]`).Attr("value"); v != "" {
			t.Errorf("password echoed back")
		}
		if !strings.Contains(r.Text("[data-testid=sign-in-error]"), "not right") {
			t.Errorf("message: %q", r.Text("[data-testid=sign-in-error]"))
		}
	})

	t.Run("empty fields are named", func(t *testing.T) {
		c := s.Anonymous()
		r := c.PostForm("/sign-in", url.Values{"email": {""}, "password": {""}}).Want(http.StatusUnprocessableEntity)
		if inv, _ := r.Doc.Find(`#email`).Attr("aria-invalid"); inv != "true" {
			t.Errorf("e-mail not marked invalid")
		}
		if !strings.Contains(r.Text(`#email-error, [id^=email-err]`), "e-mail") && !strings.Contains(r.Body, "Enter your e-mail address.") {
			t.Errorf("no e-mail error shown")
		}
	})

	t.Run("a sign-in without the CSRF token is refused", func(t *testing.T) {
		c := s.Anonymous()
		r := c.PostForm("/sign-in", url.Values{"_csrf": {""}, "email": {"officer@verity.test"}, "password": {webtest.Password}})
		r.Want(http.StatusForbidden)
		c.Get("/account/password").Want(http.StatusSeeOther) // still signed out
	})

	t.Run("failed sign-ins are throttled per account", func(t *testing.T) {
		c := s.Anonymous()
		var last *webtest.Response
		for range 12 {
			last = c.PostForm("/sign-in", url.Values{"email": {"viewer@verity.test"}, "password": {"wrong-password"}})
			if last.Status == http.StatusTooManyRequests {
				break
			}
		}
		last.Want(http.StatusTooManyRequests)
		if !strings.Contains(last.Text("[data-testid=sign-in-error]"), "wait") {
			t.Errorf("throttle message: %q", last.Text("[data-testid=sign-in-error]"))
		}
		if ra, err := strconv.Atoi(last.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 15*60 {
			t.Errorf("Retry-After %q, want seconds up to 15 minutes", last.Header.Get("Retry-After"))
		}
	})

	t.Run("sign-ins and failures are in the audit log", func(t *testing.T) {
		var n int
		if err := s.DB.Get(&n, `SELECT count(DISTINCT action) FROM audit_entries WHERE action IN ('auth.login', 'auth.login_failed')`); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			var actions []string
			_ = s.DB.Select(&actions, `SELECT DISTINCT action FROM audit_entries`)
			t.Fatalf("no sign-in entries; actions: %v", actions)
		}
	})
}

func TestSessionEnds(t *testing.T) {
	s := webtest.New(t)
	ctx := context.Background()

	t.Run("sign out", func(t *testing.T) {
		c := s.SignIn("officer")
		c.PostForm("/sign-out", nil).Want(http.StatusSeeOther)
		c.Get("/account/password").Want(http.StatusSeeOther)
	})

	t.Run("sign out needs the CSRF token", func(t *testing.T) {
		c := s.SignIn("officer")
		c.PostForm("/sign-out", url.Values{"_csrf": {"forged"}}).Want(http.StatusForbidden)
		c.Get("/account/password").Want(http.StatusOK)
	})

	t.Run("a deactivated user is out at the next request", func(t *testing.T) {
		c := s.SignIn("officer2")
		c.Get("/account/password").Want(http.StatusOK)
		if _, err := s.Auth.SetActive(ctx, s.Actor("admin"), s.Users["officer2"].ID, false); err != nil {
			t.Fatal(err)
		}
		r := c.Get("/account/password").Want(http.StatusSeeOther)
		if !strings.HasPrefix(r.Location(), "/sign-in") {
			t.Fatalf("went to %q", r.Location())
		}
		if _, err := s.Auth.SetActive(ctx, s.Actor("admin"), s.Users["officer2"].ID, true); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a role change applies at the next request", func(t *testing.T) {
		c := s.SignIn("admin2")
		c.Get("/account/password").Want(http.StatusOK)
		if _, err := s.Auth.SetRole(ctx, s.Actor("admin"), s.Users["admin2"].ID, access.RoleViewer); err != nil {
			t.Fatal(err)
		}
		// A role change ends the user's sessions: they sign in again with the new role.
		r := c.Get("/admin/staff").Want(http.StatusSeeOther)
		if !strings.HasPrefix(r.Location(), "/sign-in") {
			t.Fatalf("went to %q", r.Location())
		}
		c = s.SignIn("admin2")
		r = c.Get("/account/password").Want(http.StatusOK)
		if strings.Contains(r.Body, `href="/admin/staff"`) || r.Text("[data-testid=user-menu] span:first-child") != "Alan Admin" {
			t.Fatal("a demoted admin still sees the admin navigation")
		}
	})

	t.Run("idle timeout", func(t *testing.T) {
		c := s.SignIn("viewer")
		s.Clock().Advance(31 * time.Minute)
		r := c.Get("/account/password").Want(http.StatusSeeOther)
		r = c.Get(r.Location()).Want(http.StatusOK)
		if !strings.Contains(r.Text("[data-testid=sign-in-notice]"), "without activity") {
			t.Fatalf("notice: %q", r.Text("[data-testid=sign-in-notice]"))
		}
	})

	t.Run("htmx requests without a session get HX-Redirect", func(t *testing.T) {
		c := s.Anonymous()
		r := c.HTMX(http.MethodGet, "/customers", nil)
		if r.Header.Get("HX-Redirect") == "" {
			t.Fatalf("no HX-Redirect; status %d", r.Status)
		}
	})
}

func TestChangePassword(t *testing.T) {
	s := webtest.New(t)
	c := s.SignIn("officer")
	other := s.SignIn("officer")

	r := c.PostForm("/account/password", url.Values{"currentPassword": {webtest.Password}, "newPassword": {"short"}, "confirmPassword": {"short"}})
	r.Want(http.StatusUnprocessableEntity)
	if inv, _ := r.Doc.Find(`#newPassword`).Attr("aria-invalid"); inv != "true" {
		t.Errorf("new password not marked invalid:\n%s", r.Body)
	}
	r = c.PostForm("/account/password", url.Values{"currentPassword": {"wrong-password!"}, "newPassword": {"a brand new passphrase"}, "confirmPassword": {"a brand new passphrase"}})
	r.Want(http.StatusUnprocessableEntity)
	r = c.PostForm("/account/password", url.Values{"currentPassword": {webtest.Password}, "newPassword": {"a brand new passphrase"}, "confirmPassword": {"a different one!!"}})
	r.Want(http.StatusUnprocessableEntity)

	c.PostForm("/account/password", url.Values{"currentPassword": {webtest.Password}, "newPassword": {"a brand new passphrase"}, "confirmPassword": {"a brand new passphrase"}}).
		Want(http.StatusSeeOther)
	c.Get("/account/password").Want(http.StatusOK)           // this session goes on
	other.Get("/account/password").Want(http.StatusSeeOther) // the other one ended
	if _, err := s.Auth.Authenticate(context.Background(), "officer@verity.test", "a brand new passphrase", "", "t"); err != nil {
		t.Fatalf("new password does not work: %v", err)
	}
}

func TestSignInBoundedHashing(t *testing.T) {
	s := webtest.New(t, func(o *auth.Options) { o.HashSlots, o.HashWait = 1, 10*time.Millisecond })

	t.Run("a saturated hasher answers 503 with Retry-After", func(t *testing.T) {
		c := s.Anonymous()
		release := s.Auth.HoldHashSlots()
		defer release()
		r := c.PostForm("/sign-in", url.Values{"email": {"officer@verity.test"}, "password": {webtest.Password}}).Want(http.StatusServiceUnavailable)
		if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		if !strings.Contains(r.Text("[data-testid=sign-in-error]"), "try again") {
			t.Errorf("message: %q", r.Text("[data-testid=sign-in-error]"))
		}
		release()
		c.PostForm("/sign-in", url.Values{"email": {"officer@verity.test"}, "password": {webtest.Password}}).Want(http.StatusSeeOther)
	})

	t.Run("an over-long password is a plain wrong answer, without hashing", func(t *testing.T) {
		c := s.Anonymous()
		release := s.Auth.HoldHashSlots() // any hashing would now wait and answer 503
		defer release()
		c.PostForm("/sign-in", url.Values{"email": {"officer@verity.test"}, "password": {strings.Repeat("x", 20000)}}).Want(http.StatusUnauthorized)
	})
}

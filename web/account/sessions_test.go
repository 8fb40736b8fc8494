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
	"github.com/verity-kyb/verity/web/webtest"
)

// stolen is a second browser holding a copy of c's cookie (and CSRF token),
// as someone who lifted it from a shared machine or a log would.
func stolen(t *testing.T, s *webtest.Site, c *webtest.Client) *webtest.Client {
	t.Helper()
	thief := s.Anonymous()
	u, _ := url.Parse(s.URL)
	thief.HTTP.Jar.SetCookies(u, c.HTTP.Jar.Cookies(u))
	thief.CSRF = c.CSRF
	return thief
}

// wantOut fails unless the thief's copy is signed out: pages send it to sign
// in, and an admin POST (creating an account) is refused and changes nothing.
func wantOut(t *testing.T, s *webtest.Site, thief *webtest.Client, email string) {
	t.Helper()
	r := thief.Get("/customers").Want(http.StatusSeeOther)
	if !strings.HasPrefix(r.Location(), "/sign-in") {
		t.Fatalf("copied cookie went to %q, want the sign-in page", r.Location())
	}
	r = thief.PostForm("/admin/staff", url.Values{"name": {"Mallory"}, "email": {email}, "role": {"admin"}, "password": {"mallory-was-here-1"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/sign-in") {
		t.Fatalf("admin POST with a copied cookie: %d %q, want a redirect to sign in", r.Status, r.Location())
	}
	var n int
	if err := s.DB.Get(&n, `SELECT count(*) FROM staff_users WHERE email = $1`, email); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("the copied cookie created %s", email)
	}
}

// wantIn fails unless the thief's copy still works (it must, before the session ends).
func wantIn(t *testing.T, thief *webtest.Client) {
	t.Helper()
	thief.Get("/customers").Want(http.StatusOK)
}

func TestCopiedCookieEndsWithTheSession(t *testing.T) {
	s := webtest.New(t)
	ctx := context.Background()
	admin := s.SignIn("admin")

	t.Run("sign out", func(t *testing.T) {
		c := s.SignIn("admin2")
		thief := stolen(t, s, c)
		wantIn(t, thief)
		c.PostForm("/sign-out", nil).Want(http.StatusSeeOther)
		wantOut(t, s, thief, "m1@verity.test")
	})

	t.Run("deactivation", func(t *testing.T) {
		thief := stolen(t, s, s.SignIn("admin2"))
		wantIn(t, thief)
		admin.Get("/admin/staff")
		admin.PostForm("/admin/staff/"+id(s, "admin2")+"/active", url.Values{"active": {"false"}}).Want(http.StatusSeeOther)
		wantOut(t, s, thief, "m2@verity.test")
		if _, err := s.Auth.SetActive(ctx, s.Actor("admin"), s.Users["admin2"].ID, true); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("role change", func(t *testing.T) {
		thief := stolen(t, s, s.SignIn("admin2"))
		wantIn(t, thief)
		admin.Get("/admin/staff")
		admin.PostForm("/admin/staff/"+id(s, "admin2")+"/role", url.Values{"role": {"officer"}}).Want(http.StatusSeeOther)
		wantOut(t, s, thief, "m3@verity.test")
		if _, err := s.Auth.SetRole(ctx, s.Actor("admin"), s.Users["admin2"].ID, access.RoleAdmin); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("password change in another session", func(t *testing.T) {
		mine, other := s.SignIn("admin2"), s.SignIn("admin2")
		thief := stolen(t, s, other)
		wantIn(t, thief)
		mine.PostForm("/account/password", url.Values{"currentPassword": {webtest.Password}, "newPassword": {"another long passphrase"}, "confirmPassword": {"another long passphrase"}}).
			Want(http.StatusSeeOther)
		wantOut(t, s, thief, "m4@verity.test")
		mine.Get("/customers").Want(http.StatusOK) // the session that changed it goes on
		mine.PostForm("/account/password", url.Values{"currentPassword": {"another long passphrase"}, "newPassword": {webtest.Password}, "confirmPassword": {webtest.Password}}).
			Want(http.StatusSeeOther)
	})

	t.Run("an admin's sign out everywhere", func(t *testing.T) {
		one, two := s.SignIn("admin2"), s.SignIn("admin2")
		thief := stolen(t, s, one)
		wantIn(t, thief)
		r := admin.Get("/admin/staff")
		if !r.Has(`[data-testid=staff-row][data-email="admin2@verity.test"] [data-testid=sign-out-everywhere]`) {
			t.Fatal("no sign out everywhere button on the row")
		}
		if r.Has(`[data-testid=staff-row][data-email="admin@verity.test"] [data-testid=sign-out-everywhere]`) {
			t.Error("the admin's own row offers sign out everywhere (the account page does that)")
		}
		admin.PostForm("/admin/staff/"+id(s, "admin2")+"/sessions/end", nil).Want(http.StatusSeeOther)
		wantOut(t, s, thief, "m5@verity.test")
		r = two.Get("/customers").Want(http.StatusSeeOther)
		r = two.Get(r.Location()).Want(http.StatusOK)
		if got := r.Text("[data-testid=sign-in-notice]"); got != "Your session has ended (signed out everywhere by an admin). Please sign in again." {
			t.Errorf("notice: %q", got)
		}
		r = admin.Get("/admin/staff").Want(http.StatusOK)
		if got := r.Text(`#flash [data-flash=success]`); !strings.HasPrefix(got, "Alan Admin is signed out of") {
			t.Errorf("flash: %q", got)
		}
		var n int
		if err := s.DB.Get(&n, `SELECT count(*) FROM audit_entries WHERE action = 'auth.sessions_end' AND subject = 'admin2@verity.test' AND actor_id = $1 AND reason = $2`, s.Users["admin"].ID, auth.EndEverywhere); err != nil || n != 1 {
			t.Errorf("%d audit entries (%v), want 1", n, err)
		}
	})

	t.Run("sign out everywhere is for admins only", func(t *testing.T) {
		victim := s.SignIn("admin2")
		officer := s.SignIn("officer")
		officer.PostForm("/admin/staff/"+id(s, "admin2")+"/sessions/end", nil).Want(http.StatusForbidden)
		victim.Get("/customers").Want(http.StatusOK)
	})

	t.Run("ending one session from the account page", func(t *testing.T) {
		mine, other := s.SignIn("admin2"), s.SignIn("admin2")
		thief := stolen(t, s, other)
		wantIn(t, thief)
		r := mine.Get("/account").Want(http.StatusOK)
		rows := r.Doc.Find(`[data-testid=session-row][data-current=false]`)
		if rows.Length() < 1 || r.Doc.Find(`[data-testid=session-row][data-current=true]`).Length() != 1 {
			t.Fatalf("sessions table:\n%s", r.Body)
		}
		action, _ := rows.First().Find("form").Attr("action")
		// End every other session one by one, as a person clicking each End would.
		for rows.Length() > 0 {
			action, _ = rows.First().Find("form").Attr("action")
			mine.PostForm(action, nil).Want(http.StatusSeeOther)
			r = mine.Get("/account").Want(http.StatusOK)
			rows = r.Doc.Find(`[data-testid=session-row][data-current=false]`)
		}
		wantOut(t, s, thief, "m6@verity.test")
		mine.Get("/customers").Want(http.StatusOK)
		// An ended (or someone else's) session cannot be ended again.
		mine.PostForm(action, nil).Want(http.StatusSeeOther)
		r = mine.Get("/account")
		if got := r.Text(`#flash [data-flash=success]`); got != "That session had already ended." {
			t.Errorf("flash: %q", got)
		}
	})

	t.Run("ending all other sessions from the account page", func(t *testing.T) {
		mine, other := s.SignIn("admin2"), s.SignIn("admin2")
		thief := stolen(t, s, other)
		wantIn(t, thief)
		r := mine.Get("/account").Want(http.StatusOK)
		if !r.Has("[data-testid=end-other-sessions]") {
			t.Fatal("no button to end the other sessions")
		}
		mine.PostForm("/account/sessions/end-others", nil).Want(http.StatusSeeOther)
		wantOut(t, s, thief, "m7@verity.test")
		r = mine.Get("/account").Want(http.StatusOK)
		if n := r.Doc.Find("[data-testid=session-row]").Length(); n != 1 || r.Has("[data-testid=end-other-sessions]") {
			t.Errorf("%d sessions left on the page, want only this one", n)
		}
	})
}

func id(s *webtest.Site, name string) string { return strconv.FormatInt(s.Users[name].ID, 10) }

func TestAccountPage(t *testing.T) {
	s := webtest.New(t)
	c := s.SignIn("officer")
	r := c.Get("/customers").Want(http.StatusOK)
	if !r.Has(`[data-testid=account-link][href="/account"]`) {
		t.Fatal("the user menu does not link to the account page")
	}
	r = c.Get("/account").Want(http.StatusOK)
	if r.Text("h1") != "Your account" || !strings.Contains(r.Text("main"), "officer@verity.test") {
		t.Errorf("account page:\n%s", r.Body)
	}
	cur := r.Doc.Find(`[data-testid=session-row][data-current=true]`)
	if cur.Length() != 1 || !strings.Contains(cur.Text(), "127.0.0.1") || !strings.Contains(cur.Text(), "Go-http-client") {
		t.Errorf("current session row: %q", cur.Text())
	}
	if r.Has("[data-testid=end-other-sessions]") || r.Has("[data-testid=end-session]") {
		t.Error("a lone session is offered to end itself from the list")
	}
	c.PostForm("/account/sessions/"+strings.Repeat("ab", 32)+"/end", nil).Want(http.StatusSeeOther)
	c.Get("/customers").Want(http.StatusOK)
}

func TestLifetimesFromTheRecord(t *testing.T) {
	s := webtest.New(t)

	t.Run("idle", func(t *testing.T) {
		c := s.SignIn("viewer")
		thief := stolen(t, s, c)
		s.Clock().Advance(auth.SessionIdle + time.Second)
		r := thief.Get("/customers").Want(http.StatusSeeOther)
		r = thief.Get(r.Location()).Want(http.StatusOK)
		if !strings.Contains(r.Text("[data-testid=sign-in-notice]"), "without activity") {
			t.Fatalf("notice: %q", r.Text("[data-testid=sign-in-notice]"))
		}
		c.Get("/customers").Want(http.StatusSeeOther) // the record is over, whichever cookie comes
	})

	t.Run("maximum age", func(t *testing.T) {
		c := s.SignIn("viewer")
		for elapsed := time.Duration(0); elapsed < auth.SessionMaxAge; elapsed += 25 * time.Minute {
			c.Get("/customers").Want(http.StatusOK)
			s.Clock().Advance(25 * time.Minute)
		}
		r := c.Get("/customers").Want(http.StatusSeeOther)
		r = c.Get(r.Location()).Want(http.StatusOK)
		if !strings.Contains(r.Text("[data-testid=sign-in-notice]"), "12 hours") {
			t.Fatalf("notice: %q", r.Text("[data-testid=sign-in-notice]"))
		}
	})
}

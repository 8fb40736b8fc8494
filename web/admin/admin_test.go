package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/web/webtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func staffURL(s *webtest.Site, name, what string) string {
	return "/admin/staff/" + strconv.FormatInt(s.Users[name].ID, 10) + "/" + what
}

func row(r *webtest.Response, email string) string {
	return `[data-testid=staff-row][data-email="` + email + `"]`
}

func flash(r *webtest.Response, kind string) string {
	return r.Text(`#flash [data-flash=` + kind + `]`)
}

func TestAdminPagesAreForAdmins(t *testing.T) {
	s := webtest.New(t)
	key, _, err := s.Auth.CreateAPIKey(context.Background(), s.Actor("admin"), "nightly export", access.RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	revoke := "/admin/api-keys/" + strconv.FormatInt(key.ID, 10) + "/revoke"

	t.Run("an admin sees both pages and the admin navigation", func(t *testing.T) {
		c := s.SignIn("admin")
		r := c.Get("/admin/staff").Want(http.StatusOK)
		if r.Doc.Find("h1").Length() != 1 || r.Text("h1") != "Staff accounts" {
			t.Errorf("heading: %q", r.Text("h1"))
		}
		if got := r.Doc.Find("[data-testid=staff-table] [data-testid=staff-row]").Length(); got != 5 {
			t.Errorf("%d staff rows, want 5", got)
		}
		if !r.Has("[data-testid=staff-new-form]") || !r.Has(`a[href="/admin/api-keys"]`) {
			t.Error("no new-account form or no API keys link")
		}
		r = c.Get("/admin/api-keys").Want(http.StatusOK)
		if r.Text("h1") != "API keys" || !r.Has(`[data-testid=apikeys-table] [data-testid=apikey-row][data-name="nightly export"]`) {
			t.Errorf("API keys page:\n%s", r.Body)
		}
		if !r.Has("[data-testid=apikey-new-form]") || !r.Has("[data-testid=revoke-button]") {
			t.Error("no create form or revoke button")
		}
	})

	for _, who := range []string{"officer", "viewer"} {
		t.Run(who+" gets 403 on every admin page and form", func(t *testing.T) {
			c := s.SignIn(who)
			r := c.Get("/customers").Want(http.StatusOK)
			if r.Has(`a[href="/admin/staff"]`) || r.Has(`a[href="/admin/api-keys"]`) {
				t.Error("admin navigation shown to a non-admin")
			}
			r = c.Get("/admin/staff").Want(http.StatusForbidden)
			if !strings.Contains(r.Body, "may not manage staff accounts") {
				t.Errorf("403 page does not say why:\n%s", r.Body)
			}
			c.Get("/admin/api-keys").Want(http.StatusForbidden)
			c.PostForm("/admin/staff", url.Values{"name": {"Mallory"}, "email": {"mallory@verity.test"}, "role": {"admin"}, "password": {"a-long-enough-password"}}).
				Want(http.StatusForbidden)
			c.PostForm(staffURL(s, "officer2", "role"), url.Values{"role": {"admin"}}).Want(http.StatusForbidden)
			c.PostForm(staffURL(s, "admin", "active"), url.Values{"active": {"false"}}).Want(http.StatusForbidden)
			c.PostForm(staffURL(s, who, "role"), url.Values{"role": {"admin"}}).Want(http.StatusForbidden)
			c.PostForm("/admin/api-keys", url.Values{"name": {"mine"}, "role": {"admin"}}).Want(http.StatusForbidden)
			c.PostForm(revoke, nil).Want(http.StatusForbidden)
		})
	}

	t.Run("nothing the non-admins posted took effect", func(t *testing.T) {
		var n int
		if err := s.DB.Get(&n, `SELECT count(*) FROM staff_users WHERE email = 'mallory@verity.test'`); err != nil || n != 0 {
			t.Errorf("account created by a non-admin (n=%d, err=%v)", n, err)
		}
		for _, name := range []string{"officer", "viewer", "officer2"} {
			u, err := s.Auth.GetUser(context.Background(), s.Users[name].ID)
			if err != nil {
				t.Fatal(err)
			}
			if u.Role != s.Users[name].Role {
				t.Errorf("%s is now %s", name, u.Role)
			}
		}
		if u, _ := s.Auth.GetUser(context.Background(), s.Users["admin"].ID); !u.Active {
			t.Error("admin deactivated by a non-admin")
		}
		keys, err := s.Auth.ListAPIKeys(context.Background(), s.Actor("admin"))
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 || keys[0].RevokedAt != nil {
			t.Errorf("keys after non-admin posts: %+v", keys)
		}
	})

	t.Run("a signed-out visitor is sent to sign in", func(t *testing.T) {
		c := s.Anonymous()
		r := c.Get("/admin/staff").Want(http.StatusSeeOther)
		if !strings.HasPrefix(r.Location(), "/sign-in") {
			t.Errorf("went to %q", r.Location())
		}
	})

	t.Run("every admin form needs the CSRF token", func(t *testing.T) {
		c := s.SignIn("admin")
		c.Get("/admin/staff").Want(http.StatusOK)
		no := url.Values{"_csrf": {""}}
		with := func(v url.Values) url.Values {
			v.Set("_csrf", "")
			return v
		}
		c.PostForm("/admin/staff", with(url.Values{"name": {"Eve"}, "email": {"eve@verity.test"}, "role": {"admin"}, "password": {"a-long-enough-password"}})).
			Want(http.StatusForbidden)
		c.PostForm(staffURL(s, "officer2", "role"), with(url.Values{"role": {"admin"}})).Want(http.StatusForbidden)
		c.PostForm(staffURL(s, "officer2", "active"), with(url.Values{"active": {"false"}})).Want(http.StatusForbidden)
		c.PostForm("/admin/api-keys", with(url.Values{"name": {"forged"}, "role": {"admin"}})).Want(http.StatusForbidden)
		c.PostForm(revoke, no).Want(http.StatusForbidden)
		c.PostForm(revoke, url.Values{"_csrf": {"forged-token"}}).Want(http.StatusForbidden)

		var n int
		if err := s.DB.Get(&n, `SELECT count(*) FROM staff_users WHERE email = 'eve@verity.test'`); err != nil || n != 0 {
			t.Errorf("account created without CSRF token")
		}
		u, _ := s.Auth.GetUser(context.Background(), s.Users["officer2"].ID)
		if u.Role != access.RoleOfficer || !u.Active {
			t.Errorf("officer2 changed without CSRF token: %s active=%v", u.Role, u.Active)
		}
		keys, _ := s.Auth.ListAPIKeys(context.Background(), s.Actor("admin"))
		if len(keys) != 1 || keys[0].RevokedAt != nil {
			t.Errorf("keys changed without CSRF token: %+v", keys)
		}
	})
}

func TestStaffPage(t *testing.T) {
	s := webtest.New(t)
	ctx := context.Background()
	admin := s.SignIn("admin")

	t.Run("the list shows each account; one's own row is marked and has no controls", func(t *testing.T) {
		r := admin.Get("/admin/staff").Want(http.StatusOK)
		me := r.Doc.Find(row(r, "admin@verity.test"))
		if !strings.Contains(me.Text(), "(you)") {
			t.Errorf("own row not marked: %q", me.Text())
		}
		if me.Find("form, button, select").Length() != 0 {
			t.Error("own row offers change controls")
		}
		other := r.Doc.Find(row(r, "officer2@verity.test"))
		text := strings.Join(strings.Fields(other.Text()), " ")
		for _, want := range []string{"Omar Officer", "officer2@verity.test", "Active", "never"} {
			if !strings.Contains(text, want) {
				t.Errorf("officer2 row lacks %q: %q", want, text)
			}
		}
		if strings.Contains(text, "(you)") {
			t.Error("another's row marked (you)")
		}
		if sel, _ := other.Find("[data-testid=role-form] select[name=role] option[selected]").Attr("value"); sel != "officer" {
			t.Errorf("role select shows %q", sel)
		}
		if other.Find("[data-testid=deactivate-button][data-confirm]").Length() != 1 {
			t.Error("no deactivate button asking for confirmation")
		}
		if other.Find("time[datetime]").Length() != 1 { // created; never signed in
			t.Errorf("officer2 row has %d times, want 1 (created)", other.Find("time[datetime]").Length())
		}
		if n := me.Find("time[datetime]").Length(); n != 2 { // last sign-in and created
			t.Errorf("own row has %d times, want 2 (last sign-in, created)", n)
		}
		var heads []string
		r.Doc.Find("[data-testid=staff-table] thead th").Each(func(_ int, th *goquery.Selection) { heads = append(heads, th.Text()) })
		if got := strings.Join(heads, ","); got != "Name,Status,Role,Last sign-in,Created,Access" {
			t.Errorf("columns: %s", got)
		}
	})

	t.Run("a new account is listed and can sign in", func(t *testing.T) {
		admin.Get("/admin/staff").Want(http.StatusOK)
		r := admin.PostForm("/admin/staff", url.Values{"name": {"Nora Newhire"}, "email": {"nora@verity.test"}, "role": {"officer"}, "password": {"a-long-enough-password"}})
		r.Want(http.StatusSeeOther)
		if r.Location() != "/admin/staff" {
			t.Errorf("went to %q", r.Location())
		}
		r = admin.Get("/admin/staff").Want(http.StatusOK)
		if got := flash(r, "success"); got != "Account created for nora@verity.test." {
			t.Errorf("flash: %q", got)
		}
		if got := r.Text(row(r, "nora@verity.test")); !strings.Contains(got, "Nora Newhire") || !strings.Contains(got, "Active") {
			t.Errorf("new row: %q", got)
		}
		c := s.Anonymous()
		c.PostForm("/sign-in", url.Values{"email": {"nora@verity.test"}, "password": {"a-long-enough-password"}}).Want(http.StatusSeeOther)
		r = c.Get("/customers").Want(http.StatusOK)
		if !strings.Contains(r.Text("[data-testid=user-menu]"), "Nora Newhire") {
			t.Errorf("signed in as %q", r.Text("[data-testid=user-menu]"))
		}
		c.Get("/admin/staff").Want(http.StatusForbidden) // an officer
	})

	t.Run("a duplicate e-mail is refused on the e-mail field, input kept", func(t *testing.T) {
		admin.Get("/admin/staff")
		r := admin.PostForm("/admin/staff", url.Values{"name": {"Other Olive"}, "email": {"OFFICER@verity.test"}, "role": {"viewer"}, "password": {"a-long-enough-password"}})
		r.Want(http.StatusUnprocessableEntity)
		form := r.Doc.Find("[data-testid=staff-new-form]")
		if inv, _ := form.Find("#email").Attr("aria-invalid"); inv != "true" {
			t.Errorf("e-mail not marked invalid")
		}
		if !strings.Contains(r.Text("#email-error"), "already used") {
			t.Errorf("e-mail error: %q", r.Text("#email-error"))
		}
		if !strings.Contains(r.Text("[data-testid=error-summary]"), "E-mail") {
			t.Errorf("summary does not name the e-mail: %q", r.Text("[data-testid=error-summary]"))
		}
		if inv, _ := form.Find("#password").Attr("aria-invalid"); inv == "true" {
			t.Error("password marked invalid")
		}
		if v, _ := form.Find("#name").Attr("value"); v != "Other Olive" {
			t.Errorf("name not kept: %q", v)
		}
		if v, _ := form.Find("#email").Attr("value"); v != "OFFICER@verity.test" {
			t.Errorf("e-mail not kept: %q", v)
		}
		if v, _ := form.Find("select[name=role] option[selected]").Attr("value"); v != "viewer" {
			t.Errorf("role not kept: %q", v)
		}
		if v, _ := form.Find("#password").Attr("value"); v != "" {
			t.Error("password echoed back")
		}
	})

	t.Run("a short password is refused on the password field", func(t *testing.T) {
		admin.Get("/admin/staff")
		r := admin.PostForm("/admin/staff", url.Values{"name": {"Sam Short"}, "email": {"sam@verity.test"}, "role": {"viewer"}, "password": {"short"}})
		r.Want(http.StatusUnprocessableEntity)
		form := r.Doc.Find("[data-testid=staff-new-form]")
		if inv, _ := form.Find("#password").Attr("aria-invalid"); inv != "true" {
			t.Error("password not marked invalid")
		}
		if desc, _ := form.Find("#password").Attr("aria-describedby"); !strings.Contains(desc, "password-error") {
			t.Errorf("password error not tied to the input: %q", desc)
		}
		if r.Text("#password-error") == "" || !strings.Contains(r.Text("#password-hint"), "12") {
			t.Errorf("password error %q, hint %q", r.Text("#password-error"), r.Text("#password-hint"))
		}
		if v, _ := form.Find("#password").Attr("value"); v != "" {
			t.Error("password echoed back")
		}
		if v, _ := form.Find("#email").Attr("value"); v != "sam@verity.test" {
			t.Errorf("e-mail not kept: %q", v)
		}
		var n int
		if err := s.DB.Get(&n, `SELECT count(*) FROM staff_users WHERE email = 'sam@verity.test'`); err != nil || n != 0 {
			t.Error("account created with a short password")
		}
	})

	t.Run("an unknown role is refused on the role field", func(t *testing.T) {
		admin.Get("/admin/staff")
		r := admin.PostForm("/admin/staff", url.Values{"name": {"Rita Root"}, "email": {"rita@verity.test"}, "role": {"root"}, "password": {"a-long-enough-password"}})
		r.Want(http.StatusUnprocessableEntity)
		if inv, _ := r.Doc.Find("[data-testid=staff-new-form] #role").Attr("aria-invalid"); inv != "true" {
			t.Error("role not marked invalid")
		}
	})

	t.Run("changing another's role is stored and ends their session", func(t *testing.T) {
		victim := s.SignIn("officer2")
		victim.Get("/customers").Want(http.StatusOK)
		admin.Get("/admin/staff")
		admin.PostForm(staffURL(s, "officer2", "role"), url.Values{"role": {"viewer"}}).Want(http.StatusSeeOther)
		u, err := s.Auth.GetUser(ctx, s.Users["officer2"].ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != access.RoleViewer {
			t.Fatalf("role is %s", u.Role)
		}
		r := admin.Get("/admin/staff").Want(http.StatusOK)
		if got := flash(r, "success"); got != "Omar Officer is now viewer." {
			t.Errorf("flash: %q", got)
		}
		if v, _ := r.Doc.Find(row(r, "officer2@verity.test") + " select[name=role] option[selected]").Attr("value"); v != "viewer" {
			t.Errorf("list shows role %q", v)
		}
		if r := victim.Get("/customers"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/sign-in") {
			t.Errorf("demoted user still in: %d %q", r.Status, r.Location())
		}
		admin.PostForm(staffURL(s, "officer2", "role"), url.Values{"role": {"officer"}}).Want(http.StatusSeeOther)
	})

	t.Run("an unknown role on a role change is refused without change", func(t *testing.T) {
		admin.Get("/admin/staff")
		admin.PostForm(staffURL(s, "officer2", "role"), url.Values{"role": {"superuser"}}).Want(http.StatusSeeOther)
		r := admin.Get("/admin/staff").Want(http.StatusOK)
		if got := flash(r, "error"); got != "Role must be viewer, officer or admin." {
			t.Errorf("flash: %q", got)
		}
		if u, _ := s.Auth.GetUser(ctx, s.Users["officer2"].ID); u.Role != access.RoleOfficer {
			t.Errorf("role is %s", u.Role)
		}
	})

	t.Run("an admin cannot change their own role or deactivate themselves", func(t *testing.T) {
		admin.Get("/admin/staff")
		for _, p := range []struct {
			path string
			v    url.Values
		}{
			{staffURL(s, "admin", "role"), url.Values{"role": {"viewer"}}},
			{staffURL(s, "admin", "active"), url.Values{"active": {"false"}}},
		} {
			r := admin.PostForm(p.path, p.v).Want(http.StatusSeeOther)
			if r.Location() != "/admin/staff" {
				t.Errorf("went to %q", r.Location())
			}
			r = admin.Get("/admin/staff").Want(http.StatusOK) // still signed in, still an admin
			if got := flash(r, "error"); got != "You cannot change your own role or deactivate yourself." {
				t.Errorf("%s: flash %q", p.path, got)
			}
		}
		u, _ := s.Auth.GetUser(ctx, s.Users["admin"].ID)
		if u.Role != access.RoleAdmin || !u.Active {
			t.Errorf("admin changed themselves: %s active=%v", u.Role, u.Active)
		}
	})

	t.Run("deactivate signs the user out at their next request; reactivate lets them back", func(t *testing.T) {
		victim := s.SignIn("officer")
		victim.Get("/customers").Want(http.StatusOK)

		r := admin.Get("/admin/staff")
		if !r.Has(row(r, "officer@verity.test") + " [data-testid=deactivate-button]") {
			t.Fatal("no deactivate button")
		}
		admin.PostForm(staffURL(s, "officer", "active"), url.Values{"active": {"false"}}).Want(http.StatusSeeOther)
		r = victim.Get("/customers").Want(http.StatusSeeOther)
		if !strings.HasPrefix(r.Location(), "/sign-in") {
			t.Errorf("deactivated user went to %q", r.Location())
		}
		c := s.Anonymous()
		if r := c.PostForm("/sign-in", url.Values{"email": {"officer@verity.test"}, "password": {webtest.Password}}); r.Status == http.StatusSeeOther {
			t.Error("a deactivated user signed in")
		}

		r = admin.Get("/admin/staff").Want(http.StatusOK)
		if got := flash(r, "success"); got != "Olive Officer is deactivated and signed out." {
			t.Errorf("flash: %q", got)
		}
		officer := r.Doc.Find(row(r, "officer@verity.test"))
		if !strings.Contains(officer.Text(), "Deactivated") || officer.Find("[data-testid=reactivate-button]").Length() != 1 {
			t.Errorf("deactivated row: %q", strings.Join(strings.Fields(officer.Text()), " "))
		}

		admin.PostForm(staffURL(s, "officer", "active"), url.Values{"active": {"true"}}).Want(http.StatusSeeOther)
		r = admin.Get("/admin/staff").Want(http.StatusOK)
		if got := flash(r, "success"); got != "Olive Officer is active again." {
			t.Errorf("flash: %q", got)
		}
		if !r.Has(row(r, "officer@verity.test") + " [data-testid=deactivate-button]") {
			t.Error("reactivated row offers no deactivation")
		}
		s.SignIn("officer").Get("/customers").Want(http.StatusOK)
	})

	t.Run("an unknown account is 404", func(t *testing.T) {
		admin.Get("/admin/staff")
		admin.PostForm("/admin/staff/999999/role", url.Values{"role": {"viewer"}}).Want(http.StatusNotFound)
		admin.PostForm("/admin/staff/nope/active", url.Values{"active": {"false"}}).Want(http.StatusNotFound)
	})

	t.Run("htmx posts are redirected with HX-Location", func(t *testing.T) {
		admin.Get("/admin/staff")
		r := admin.HTMX(http.MethodPost, staffURL(s, "viewer", "role"), url.Values{"role": {"officer"}})
		if r.Status >= 300 || !strings.Contains(r.Header.Get("HX-Location"), "/admin/staff") {
			t.Errorf("htmx answer %d, HX-Location %q", r.Status, r.Header.Get("HX-Location"))
		}
		if u, _ := s.Auth.GetUser(ctx, s.Users["viewer"].ID); u.Role != access.RoleOfficer {
			t.Errorf("role is %s", u.Role)
		}
	})
}

func TestAPIKeysPage(t *testing.T) {
	s := webtest.New(t)
	admin := s.SignIn("admin")

	api := func(secret string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/platform/v1/customers", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	t.Run("an empty list says so", func(t *testing.T) {
		r := admin.Get("/admin/api-keys").Want(http.StatusOK)
		if r.Has("[data-testid=apikey-row]") || !strings.Contains(r.Text("[data-testid=apikeys-table]"), "No API keys yet") {
			t.Errorf("empty table: %q", r.Text("[data-testid=apikeys-table]"))
		}
	})

	var secret string
	t.Run("a new key is shown once, in a page nobody caches, and works against the API", func(t *testing.T) {
		admin.Get("/admin/api-keys")
		r := admin.PostForm("/admin/api-keys", url.Values{"name": {"onboarding sync"}, "role": {"officer"}})
		r.Want(http.StatusCreated)
		secret, _ = r.Doc.Find("[data-testid=apikey-secret]").Attr("value")
		if !strings.HasPrefix(secret, "vk_") {
			t.Fatalf("secret %q", secret)
		}
		if ro, ok := r.Doc.Find("[data-testid=apikey-secret]").Attr("readonly"); !ok {
			t.Errorf("secret input not readonly (%q)", ro)
		}
		if id, _ := r.Doc.Find("[data-testid=apikey-secret]").Attr("id"); !r.Has(`label[for="` + id + `"]`) {
			t.Error("secret input has no label")
		}
		if v, _ := r.Doc.Find("[data-copy]").Attr("data-copy"); v != secret {
			t.Error("no copy button for the key")
		}
		if !strings.Contains(r.Text("[data-testid=apikey-created]"), "shown only this once") {
			t.Errorf("warning: %q", r.Text("[data-testid=apikey-created]"))
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control %q", cc)
		}
		for _, h := range r.Header.Values("Set-Cookie") {
			if strings.Contains(h, secret) {
				t.Error("the key is in a cookie")
			}
		}
		if r.Location() != "" {
			t.Errorf("redirected to %q", r.Location())
		}
		if got := r.Text(`[data-testid=apikey-row][data-name="onboarding sync"]`); !strings.Contains(got, "officer") || !strings.Contains(got, "Ada Admin") ||
			!strings.Contains(got, "never") || !strings.Contains(got, "Active") {
			t.Errorf("new key row: %q", got)
		}
		if v, _ := r.Doc.Find("[data-testid=apikey-new-form] #name").Attr("value"); v != "" {
			t.Errorf("create form not cleared: %q", v)
		}

		r = admin.Get("/admin/api-keys").Want(http.StatusOK)
		if strings.Contains(r.Body, secret) || r.Has("[data-testid=apikey-secret]") {
			t.Error("the key is shown a second time")
		}
		if api(secret) != http.StatusOK {
			t.Error("the new key does not work against the API")
		}
		r = admin.Get("/admin/api-keys").Want(http.StatusOK)
		if strings.Contains(r.Text(`[data-testid=apikey-row][data-name="onboarding sync"] [data-testid=apikey-last-used]`), "never") {
			t.Error("last use not shown after a call")
		}
	})

	t.Run("a key needs a name and a known role; input kept", func(t *testing.T) {
		admin.Get("/admin/api-keys")
		r := admin.PostForm("/admin/api-keys", url.Values{"name": {"  "}, "role": {"viewer"}}).Want(http.StatusUnprocessableEntity)
		if inv, _ := r.Doc.Find("[data-testid=apikey-new-form] #name").Attr("aria-invalid"); inv != "true" {
			t.Error("name not marked invalid")
		}
		if v, _ := r.Doc.Find("[data-testid=apikey-new-form] select[name=role] option[selected]").Attr("value"); v != "viewer" {
			t.Errorf("role not kept: %q", v)
		}
		if r.Has("[data-testid=apikey-secret]") {
			t.Error("a secret shown for a refused key")
		}
		r = admin.PostForm("/admin/api-keys", url.Values{"name": {"robot"}, "role": {"god"}}).Want(http.StatusUnprocessableEntity)
		if inv, _ := r.Doc.Find("[data-testid=apikey-new-form] #role").Attr("aria-invalid"); inv != "true" {
			t.Error("role not marked invalid")
		}
		if v, _ := r.Doc.Find("[data-testid=apikey-new-form] #name").Attr("value"); v != "robot" {
			t.Errorf("name not kept: %q", v)
		}
	})

	t.Run("a revoked key gets 401 and stays listed as revoked", func(t *testing.T) {
		if secret == "" {
			t.Fatal("the key-creation subtest above made no key")
		}
		r := admin.Get("/admin/api-keys")
		rowSel := `[data-testid=apikey-row][data-name="onboarding sync"]`
		btn := r.Doc.Find(rowSel + " [data-testid=revoke-button]")
		if _, ok := btn.Attr("data-confirm"); !ok {
			t.Error("revoke does not ask for confirmation")
		}
		action, _ := btn.Closest("form").Attr("action")
		r = admin.PostForm(action, nil).Want(http.StatusSeeOther)
		if r.Location() != "/admin/api-keys" {
			t.Errorf("went to %q", r.Location())
		}
		if got := api(secret); got != http.StatusUnauthorized {
			t.Errorf("revoked key answered %d", got)
		}
		r = admin.Get("/admin/api-keys").Want(http.StatusOK)
		if got := r.Text("#flash [data-flash=success]"); got != "API key revoked." {
			t.Errorf("flash: %q", got)
		}
		if got := r.Text(rowSel); !strings.Contains(got, "Revoked") || r.Has(rowSel+" [data-testid=revoke-button]") {
			t.Errorf("revoked row: %q", got)
		}
		admin.PostForm(action, nil).Want(http.StatusSeeOther) // revoking twice is harmless
		admin.PostForm("/admin/api-keys/999999/revoke", nil).Want(http.StatusNotFound)
	})
}

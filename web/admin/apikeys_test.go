package admin_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/webtest"
)

// callAPI sends one JSON API request with a key and returns status and body.
func callAPI(t *testing.T, s *webtest.Site, method, path, secret, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+secret)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// formValues reads a form's fields as a browser would submit them.
func formValues(f *goquery.Selection) url.Values {
	v := url.Values{}
	f.Find("input[name], textarea[name], select[name]").Each(func(_ int, el *goquery.Selection) {
		name, _ := el.Attr("name")
		switch {
		case goquery.NodeName(el) == "select":
			v.Add(name, el.Find("option[selected]").AttrOr("value", ""))
		case goquery.NodeName(el) == "textarea":
			v.Add(name, el.Text())
		case el.AttrOr("type", "") == "checkbox" || el.AttrOr("type", "") == "radio":
			if _, on := el.Attr("checked"); on {
				v.Add(name, el.AttrOr("value", "on"))
			}
		default:
			v.Add(name, el.AttrOr("value", ""))
		}
	})
	return v
}

// newKey creates a key on the keys page and returns its secret.
func newKey(t *testing.T, c *webtest.Client, form url.Values) string {
	t.Helper()
	c.Get("/admin/api-keys")
	r := c.PostForm("/admin/api-keys", form).Want(http.StatusCreated)
	secret, _ := r.Doc.Find("[data-testid=apikey-secret]").Attr("value")
	if secret == "" {
		t.Fatal("no secret shown")
	}
	return secret
}

// The attack of the security review: an admin edits a customer in the
// browser, mints an admin key owned by themselves and approves through the
// API. The key is the same person, so four-eyes refuses; a key of another
// admin may approve, and the audit names the key of its owner.
func TestFourEyesAcrossPagesAndKeys(t *testing.T) {
	s := webtest.New(t)
	cu := s.NewCustomer("officer", "")
	ada := s.SignIn("admin")
	base := "/customers/" + cu.Reference.String()

	r := ada.Get(base + "/details/edit").Want(http.StatusOK)
	form := formValues(r.Doc.Find(`form[action="` + base + `/details"]`))
	if len(form) < 5 {
		t.Fatalf("details form not found: %v", form)
	}
	form.Set("company.description", "Checked by Ada")
	ada.PostForm(base+"/details", form).Want(http.StatusSeeOther)

	status := "/platform/v1/customers/" + cu.Reference.String() + "/status"
	own := newKey(t, ada, url.Values{"name": {"ada's laptop"}, "role": {"admin"}, "expires": {"90d"}})
	code, body := callAPI(t, s, http.MethodPut, status, own, `{"status": "VERIFIED"}`)
	if code != http.StatusConflict || body["code"] != "four_eyes" {
		t.Fatalf("own key approving own page edit: %d %v, want 409 four_eyes", code, body)
	}
	if got, _ := s.Customers.Get(t.Context(), s.Actor("viewer"), cu.Reference); got.Status != customer.StatusPending {
		t.Fatalf("status %s after a refused approval", got.Status)
	}

	alans := newKey(t, ada, url.Values{"name": {"alan's sync"}, "role": {"admin"}, "expires": {"never"},
		"owner": {strconv.FormatInt(s.Users["admin2"].ID, 10)}})
	if code, body := callAPI(t, s, http.MethodPut, status, alans, `{"status": "VERIFIED"}`); code != http.StatusOK {
		t.Fatalf("a key owned by another admin: %d %v, want 200", code, body)
	}
	code, body = callAPI(t, s, http.MethodGet, "/platform/v1/customers/"+cu.Reference.String()+"/history", alans, "")
	newest, _ := body["content"].([]any)
	if code != http.StatusOK || len(newest) == 0 || newest[0].(map[string]any)["actorName"] != "alan's sync of Alan Admin" {
		t.Fatalf("history %d %v, want the approval by \"alan's sync of Alan Admin\"", code, newest)
	}
	h := s.SignIn("viewer").Get(base + "/history").Want(http.StatusOK)
	if txt := strings.Join(strings.Fields(h.Doc.Find("[data-testid=history-entry]").First().Text()), " "); !strings.Contains(txt, "by API key alan's sync of Alan Admin") {
		t.Fatalf("history page entry %q", txt)
	}

	t.Run("a deactivated owner's key stops at once", func(t *testing.T) {
		ada.Get("/admin/staff")
		ada.PostForm(staffURL(s, "admin2", "active"), url.Values{"active": {"false"}}).Want(http.StatusSeeOther)
		if code, _ := callAPI(t, s, http.MethodGet, "/platform/v1/customers", alans, ""); code != http.StatusUnauthorized {
			t.Fatalf("key of a deactivated owner: %d, want 401", code)
		}
		r := ada.Get("/admin/api-keys").Want(http.StatusOK)
		if st, _ := r.Doc.Find(`[data-testid=apikey-row][data-name="alan's sync"] [data-testid=apikey-state]`).Attr("data-state"); st != "owner deactivated" {
			t.Errorf("state %q, want owner deactivated", st)
		}
		if r.Has(`[data-testid=apikey-new-form] select[name=owner] option[value="` + strconv.FormatInt(s.Users["admin2"].ID, 10) + `"]`) {
			t.Error("a deactivated user is offered as owner")
		}
	})
}

func TestAPIKeysPageOwnerAndExpiry(t *testing.T) {
	s := webtest.New(t)
	ada := s.SignIn("admin")
	officerID := strconv.FormatInt(s.Users["officer"].ID, 10)

	t.Run("the form offers active staff as owners, the admin first chosen, and lifetimes", func(t *testing.T) {
		r := ada.Get("/admin/api-keys").Want(http.StatusOK)
		sel := r.Doc.Find("[data-testid=apikey-new-form] select[name=owner]")
		if n := sel.Find("option").Length(); n != 5 {
			t.Errorf("%d owners offered, want the 5 staff users", n)
		}
		if v, _ := sel.Find("option[selected]").Attr("value"); v != strconv.FormatInt(s.Users["admin"].ID, 10) {
			t.Errorf("default owner %q, want the admin", v)
		}
		if v, _ := r.Doc.Find("[data-testid=apikey-new-form] select[name=expires] option[selected]").Attr("value"); v != "90d" {
			t.Errorf("default expiry %q, want 90d", v)
		}
	})
	t.Run("a key for an officer, expiring, shows owner and expiry", func(t *testing.T) {
		secret := newKey(t, ada, url.Values{"name": {"olive's export"}, "role": {"officer"}, "owner": {officerID}, "expires": {"30d"}})
		r := ada.Get("/admin/api-keys").Want(http.StatusOK)
		row := `[data-testid=apikey-row][data-name="olive's export"]`
		if got := r.Text(row + " [data-testid=apikey-owner]"); got != "Olive Officer" {
			t.Errorf("owner %q", got)
		}
		if got := r.Text(row + " [data-testid=apikey-expires]"); got == "" || strings.Contains(got, "never") {
			t.Errorf("expires %q, want a date", got)
		}
		if !strings.Contains(r.Text(row), "by Ada Admin") {
			t.Errorf("row %q does not say who created it", r.Text(row))
		}
		if code, _ := callAPI(t, s, http.MethodGet, "/platform/v1/customers", secret, ""); code != http.StatusOK {
			t.Errorf("the new key answered %d", code)
		}
	})
	t.Run("a key above its owner's role is refused, input kept", func(t *testing.T) {
		ada.Get("/admin/api-keys")
		r := ada.PostForm("/admin/api-keys", url.Values{"name": {"escalate"}, "role": {"admin"}, "owner": {officerID}, "expires": {"30d"}}).
			Want(http.StatusUnprocessableEntity)
		if inv, _ := r.Doc.Find("[data-testid=apikey-new-form] #role").Attr("aria-invalid"); inv != "true" {
			t.Error("role not marked invalid")
		}
		if v, _ := r.Doc.Find("[data-testid=apikey-new-form] select[name=owner] option[selected]").Attr("value"); v != officerID {
			t.Errorf("owner not kept: %q", v)
		}
		if v, _ := r.Doc.Find("[data-testid=apikey-new-form] select[name=expires] option[selected]").Attr("value"); v != "30d" {
			t.Errorf("expiry not kept: %q", v)
		}
		if r.Has(`[data-testid=apikey-row][data-name="escalate"]`) {
			t.Error("the refused key was created")
		}
	})
	t.Run("an unknown owner or lifetime is refused", func(t *testing.T) {
		ada.Get("/admin/api-keys")
		ada.PostForm("/admin/api-keys", url.Values{"name": {"x"}, "role": {"viewer"}, "owner": {"999999"}}).Want(http.StatusUnprocessableEntity)
		ada.PostForm("/admin/api-keys", url.Values{"name": {"x"}, "role": {"viewer"}, "owner": {"me"}}).Want(http.StatusUnprocessableEntity)
		ada.PostForm("/admin/api-keys", url.Values{"name": {"x"}, "role": {"viewer"}, "expires": {"forever"}}).Want(http.StatusUnprocessableEntity)
	})
}

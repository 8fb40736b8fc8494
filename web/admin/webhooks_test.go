package admin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/verity-kyb/verity/web/webtest"
)

// The webhooks page without JavaScript: admins only; a new endpoint's secret
// shown once (not on the next visit); deliveries with response, attempts and
// state; Redeliver; disable, rotate (a new secret, once) and remove; the
// customer filter the customer page links to.
func TestWebhooksPage(t *testing.T) {
	s := webtest.New(t)
	var hits atomic.Int32
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(rc.Close)

	officer := s.SignIn("officer")
	officer.Get("/admin/webhooks").Want(http.StatusForbidden)

	c := s.SignIn("admin")
	page := c.Get("/admin/webhooks").Want(http.StatusOK)
	if !page.Has(`nav a[href="/admin/webhooks"][aria-current="page"]`) || !page.Has(`form[data-testid="webhook-new-form"] input[name="events.status-change"]`) {
		t.Fatal("webhooks page without its nav entry or event checkboxes")
	}
	bad := c.PostForm("/admin/webhooks", url.Values{"url": {"ftp://nope"}, "enabled": {"true"}}).Want(http.StatusUnprocessableEntity)
	if !strings.Contains(bad.Text("form[data-testid=webhook-new-form]"), "choose at least one event") || bad.Has("[data-testid=webhook-secret]") {
		t.Fatalf("refused form: %s", bad.Text("form[data-testid=webhook-new-form]"))
	}
	created := c.PostForm("/admin/webhooks", url.Values{"url": {rc.URL + "/hook"}, "events.created": {"true"},
		"events.status-change": {"true"}, "enabled": {"true"}}).Want(http.StatusCreated)
	secret := created.Doc.Find("[data-testid=webhook-secret]").AttrOr("value", "")
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret not shown after creation: %q", secret)
	}
	if strings.Contains(c.Get("/admin/webhooks").Want(http.StatusOK).Body, secret) {
		t.Fatal("the secret is shown again")
	}

	cu := s.NewCustomer("officer", "")
	link := c.Get("/customers/"+cu.Reference.String()).Want(http.StatusOK).Doc.Find("[data-testid=webhook-events-link]").AttrOr("href", "")
	if link != "/admin/webhooks?customer="+cu.Reference.String() || officer.Get("/customers/"+cu.Reference.String()).Want(http.StatusOK).Has("[data-testid=webhook-events-link]") {
		t.Fatalf("customer page's webhook events link: %q (or shown to an officer)", link)
	}
	if _, err := s.Webhooks.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	page = c.Get("/admin/webhooks?customer=" + cu.Reference.String()).Want(http.StatusOK)
	row := page.Doc.Find("[data-testid=webhook-delivery]")
	if row.Length() != 1 || row.AttrOr("data-state", "") != "delivered" || !strings.Contains(row.Text(), "created") ||
		strings.TrimSpace(row.Find("[data-testid=webhook-response]").Text()) != "202" || !page.Has("[data-testid=webhook-customer-filter]") {
		t.Fatalf("delivery row: %q", row.Text())
	}
	redeliver, _ := row.Find("form").Attr("action")
	if r := c.PostForm(redeliver, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("redeliver: %d", r.Status)
	}
	if _, err := s.Webhooks.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 {
		t.Fatalf("%d deliveries reached the receiver, want 2", hits.Load())
	}

	ep := c.Get("/admin/webhooks").Want(http.StatusOK).Doc.Find("[data-testid=webhook-endpoint]")
	disable, _ := ep.Find("[data-testid=webhook-disable]").Closest("form").Attr("action")
	c.PostForm(disable, url.Values{"enabled": {"false"}}).Want(http.StatusSeeOther)
	if state := c.Get("/admin/webhooks").Want(http.StatusOK).Text("[data-testid=webhook-state]"); state != "Disabled" {
		t.Fatalf("state after disable: %q", state)
	}
	rotate, _ := ep.Find("[data-testid=webhook-rotate]").Closest("form").Attr("action")
	rotated := c.PostForm(rotate, nil).Want(http.StatusOK)
	if fresh := rotated.Doc.Find("[data-testid=webhook-secret]").AttrOr("value", ""); !strings.HasPrefix(fresh, "whsec_") || fresh == secret {
		t.Fatalf("rotation shows %q", fresh)
	}
	remove, _ := ep.Find("[data-testid=webhook-delete]").Closest("form").Attr("action")
	c.PostForm(remove, nil).Want(http.StatusSeeOther)
	if c.Get("/admin/webhooks").Want(http.StatusOK).Has("[data-testid=webhook-endpoint]") {
		t.Fatal("removed endpoint still listed")
	}
	// CSRF: a form without the token is refused
	if r := c.PostForm("/admin/webhooks", url.Values{"_csrf": {"forged"}, "url": {rc.URL}, "events.created": {"true"}}); r.Status != http.StatusForbidden {
		t.Fatalf("forged CSRF: %d", r.Status)
	}
}

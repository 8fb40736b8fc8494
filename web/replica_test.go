package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/web"
	"github.com/verity-kyb/verity/web/webtest"
)

// TestReadReplica runs the whole app on a primary and a streaming replica.
// With the replica's replay paused, the person who just wrote sees the change
// in the list after the form's 303 (the primary), someone else does not yet
// (the replica). Once the replica is stopped every list reads the primary:
// pages and the API stay up and /readyz says why.
func TestReadReplica(t *testing.T) {
	r := pgtest.NewReplicated(t)
	s := webtest.NewWith(t, webtest.Options{Replicated: r})
	ctx := context.Background()
	c := s.NewCustomer("officer", "")
	r.CaughtUp(t)
	for deadline := time.Now().Add(30 * time.Second); !s.Replica.Usable(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("replica unusable after catching up: %+v", s.Replica.Status())
		}
		s.Replica.Check(ctx)
	}
	viewer := s.SignIn("viewer")
	forget(t, s, viewer) // it signed in a while ago: no recent write
	rejected := func(who *webtest.Client) int {
		t.Helper()
		return who.Get("/customers?status=REJECTED").Want(http.StatusOK).Doc.Find("[data-testid=customer-row]").Length()
	}
	if _, err := r.ReadDB.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}

	admin := s.SignIn("admin")
	admin.PostForm("/customers/"+c.Reference.String()+"/status", url.Values{"status": {"REJECTED"},
		"version": {strconv.Itoa(c.Version)}, "reason": {"no"}}).Want(http.StatusSeeOther)
	if n := rejected(admin); n != 1 {
		t.Fatalf("the writer's list after the 303 shows %d rejected, want 1 (read from the primary)", n)
	}
	if n := rejected(viewer); n != 0 {
		t.Fatalf("another person's list shows %d rejected, want 0 (read from the paused replica)", n)
	}
	if got, err := s.Customers.Get(ctx, s.Actor("viewer"), c.Reference); err != nil || got.Status != customer.StatusRejected {
		t.Fatalf("one customer reads the primary: %v, %v", got, err)
	}

	if err := r.Replica.Stop(); err != nil {
		t.Fatal(err)
	}
	if s.Replica.Check(ctx); s.Replica.Usable() {
		t.Fatal("a stopped replica is still usable")
	}
	if n := rejected(viewer); n != 1 {
		t.Fatalf("with the replica stopped the list shows %d rejected, want 1 (the primary)", n)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/platform/v1/customers?status=REJECTED", nil)
	req.Header.Set("Authorization", "Bearer "+s.APIKey(access.RoleViewer))
	if res := viewer.Do(req).Want(http.StatusOK); !strings.Contains(res.Body, `"totalElements":1`) {
		t.Fatalf("API list with the replica stopped: %s", res.Body)
	}
	ready := viewer.Get("/readyz").Want(http.StatusOK)
	var body struct {
		Status  string
		Replica struct{ Status, Reason string }
	}
	if err := json.Unmarshal([]byte(ready.Body), &body); err != nil {
		t.Fatal(err)
	}
	if body.Status != "ready" || !strings.HasPrefix(body.Replica.Status, "unusable") || body.Replica.Reason == "" {
		t.Fatalf("/readyz: %s", ready.Body)
	}
}

// forget drops the client's read-your-writes cookie, as its expiry would.
func forget(t *testing.T, s *webtest.Site, c *webtest.Client) {
	t.Helper()
	u, _ := url.Parse(s.URL)
	if len(c.HTTP.Jar.Cookies(u)) == 0 {
		t.Fatal("no cookies")
	}
	c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: web.PrimaryCookie, Value: "", Path: "/", MaxAge: -1}})
	for _, k := range c.HTTP.Jar.Cookies(u) {
		if k.Name == web.PrimaryCookie {
			t.Fatal("the read-your-writes cookie is still there")
		}
	}
}

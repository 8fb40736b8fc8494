package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestAPIWebhooks drives the webhook endpoints as an integrator would: admin
// keys only, the secret once, a delivery listed and redelivered, a rotation
// with both secrets signing, DELETE keeping the record.
func TestAPIWebhooks(t *testing.T) {
	s := newServer(t)
	var mu sync.Mutex
	var bodies []string
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		checkDelivery(t, b)
		mu.Lock()
		bodies = append(bodies, string(b)+" "+r.Header.Get("webhook-signature"))
		mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	body := `{"url": "` + rc.URL + `/hook", "events": ["platform:accounts:customer:created", "platform:accounts:customer:status-change"]}`

	t.Run("ErrNotAdmin", func(t *testing.T) {
		wantError(t, s.do("GET", "/platform/v1/webhooks", "officer", ""), 403, "forbidden")
		wantError(t, s.do("POST", "/platform/v1/webhooks", "officer", body), 403, "forbidden")
		wantError(t, s.do("GET", "/platform/v1/webhooks", "", ""), 401, "unauthorized")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		wantError(t, s.do("POST", "/platform/v1/webhooks", "admin", `{"url": "ftp://x", "events": ["nope"]}`), 400, "validation_failed", "url", "events")
		wantError(t, s.do("POST", "/platform/v1/webhooks", "admin", `{"url": "https://x.test", "events": [], "secret": "mine"}`), 400, "validation_failed", "secret")
		wantError(t, s.do("GET", "/platform/v1/webhooks/not-a-uuid", "admin", ""), 404, "not_found")
	})

	r := s.do("POST", "/platform/v1/webhooks", "admin", body)
	if r.status != 201 {
		t.Fatalf("create %d %s", r.status, r.body)
	}
	ep := r.json(t)
	id, secret := ep["id"].(string), ep["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") || ep["enabled"] != true || r.header.Get("Location") != "/platform/v1/webhooks/"+id {
		t.Fatalf("create %s", r.body)
	}
	for _, path := range []string{"/platform/v1/webhooks", "/platform/v1/webhooks/" + id} {
		if got := s.do("GET", path, "admin", ""); got.status != 200 || strings.Contains(string(got.body), "whsec_") || !strings.Contains(string(got.body), id) {
			t.Fatalf("GET %s: %d %s", path, got.status, got.body)
		}
	}

	ref, _ := s.create("officer")
	if _, err := s.wh.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	page := s.do("GET", "/platform/v1/webhooks/"+id+"/deliveries?customer="+ref, "admin", "").json(t)
	list, _ := page["content"].([]any)
	if len(list) != 1 {
		t.Fatalf("deliveries %v", page)
	}
	d := list[0].(map[string]any)
	if d["event"] != "platform:accounts:customer:created" || d["state"] != "delivered" || d["lastStatus"] != float64(200) ||
		d["attempts"] != float64(1) || d["customerReference"] != ref || d["lastLatencyMs"] == nil {
		t.Fatalf("delivery %v", d)
	}
	did := strconv.FormatInt(int64(d["id"].(float64)), 10)
	if r := s.do("POST", "/platform/v1/webhooks/"+id+"/deliveries/"+did+"/redeliver", "officer", ""); r.status != 403 {
		t.Fatalf("officer redelivered: %d", r.status)
	}
	if r := s.do("POST", "/platform/v1/webhooks/"+id+"/deliveries/"+did+"/redeliver", "admin", ""); r.status != 202 {
		t.Fatalf("redeliver %d %s", r.status, r.body)
	}
	rot := s.do("POST", "/platform/v1/webhooks/"+id+"/rotate-secret", "admin", "")
	fresh, _ := rot.json(t)["secret"].(string)
	if rot.status != 200 || fresh == secret || !strings.HasPrefix(fresh, "whsec_") || rot.json(t)["rotating"] != true {
		t.Fatalf("rotate %d %s", rot.status, rot.body)
	}
	if _, err := s.wh.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(bodies) != 2 || bodies[0][:strings.Index(bodies[0], " ")] != bodies[1][:strings.Index(bodies[1], " ")] ||
		len(strings.Fields(bodies[1])) < 3 {
		t.Fatalf("redelivery %q", bodies)
	}
	mu.Unlock()

	off := s.do("PUT", "/platform/v1/webhooks/"+id, "admin", `{"url": "`+rc.URL+`/other", "events": ["platform:accounts:customer:note-added"], "enabled": false}`)
	if m := off.json(t); off.status != 200 || m["enabled"] != false || m["url"] != rc.URL+"/other" {
		t.Fatalf("update %d %s", off.status, off.body)
	}
	if r := s.do("DELETE", "/platform/v1/webhooks/"+id, "admin", ""); r.status != 204 {
		t.Fatalf("delete %d %s", r.status, r.body)
	}
	wantError(t, s.do("GET", "/platform/v1/webhooks/"+id, "admin", ""), 404, "not_found")
	var kept int
	if err := s.db.Get(&kept, `SELECT count(*) FROM webhook_deliveries`); err != nil || kept != 2 {
		t.Fatalf("%d deliveries kept after DELETE: %v", kept, err)
	}
	var all map[string]any
	_ = json.Unmarshal(s.do("GET", "/platform/v1/webhooks", "admin", "").body, &all)
	if c, _ := all["content"].([]any); len(c) != 0 {
		t.Fatalf("deleted endpoint listed: %v", all)
	}
}

package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/webhook"
	"github.com/verity-kyb/verity/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// server is a running API on a fresh database with one key per role.
type server struct {
	t    *testing.T
	db   *sqlx.DB
	url  string
	keys map[string]string // "officer", "admin", "admin2", "viewer", "officer2"
	svc  *customer.Service
	wh   *webhook.Service
	http *http.Client // checks every exchange against the OpenAPI document
}

func newServer(t *testing.T) *server {
	t.Helper()
	return newServerWith(t, customer.Options{})
}

// newServerWith is newServer with the customer service's clock (or other
// options) given; four-eyes is always on.
func newServerWith(t *testing.T, opts customer.Options) *server {
	t.Helper()
	db := pgtest.New(t)
	ctx := context.Background()
	opts.FourEyes, opts.VerifyBaseURL = true, "https://verify.com"
	wh := webhook.NewService(db, webhook.Options{AllowPrivate: true})
	if opts.Events == nil {
		opts.Events = wh
	}
	cs := customer.NewService(db, opts)
	as := auth.NewService(db, auth.Options{})
	s := &server{t: t, db: db, keys: map[string]string{}, svc: cs, wh: wh, http: contractClient(t)}
	for name, role := range map[string]access.Role{"officer": access.RoleOfficer, "officer2": access.RoleOfficer,
		"admin": access.RoleAdmin, "admin2": access.RoleAdmin, "viewer": access.RoleViewer} {
		_, secret, err := as.CreateAPIKey(ctx, access.System("test"), name, role)
		if err != nil {
			t.Fatal(err)
		}
		s.keys[name] = secret
	}
	e := web.New(web.Deps{Config: config.Config{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DB: db, Customers: cs, Keys: as,
		Webhooks: wh})
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	s.url = ts.URL
	return s
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not JSON (%d): %s", r.status, r.body)
	}
	return m
}

func (s *server) do(method, path, key, body string, headers ...string) response {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+s.keys[key])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := s.http.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}
}

// wantError checks the envelope: status, code, traceId and optional field paths.
func wantError(t *testing.T, r response, status int, code string, fields ...string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("want %d, got %d: %s", status, r.status, r.body)
	}
	m := r.json(t)
	if m["code"] != code || m["status"] != float64(status) || m["message"] == "" || m["traceId"] == "" || m["traceId"] == nil {
		t.Fatalf("envelope %s", r.body)
	}
	for _, f := range fields {
		errs, _ := m["details"].(map[string]any)["errors"].(map[string]any)
		if _, ok := errs[f]; !ok {
			t.Fatalf("want field %s in %s", f, r.body)
		}
	}
	return m
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

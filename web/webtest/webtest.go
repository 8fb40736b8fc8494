// Package webtest runs the whole web admin (pages and API, as cmd/verity
// wires them) on a fresh database for handler tests, with one signed-in
// client per role and helpers to read pages with goquery.
package webtest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/internal/webhook"
	"github.com/verity-kyb/verity/web"
	"github.com/verity-kyb/verity/web/site"
)

// Password is every test account's password.
const Password = "correct horse battery staple"

// Site is a running Verity on its own database.
type Site struct {
	t   testing.TB
	URL string
	// Handler is the site's echo server itself, for benchmarks that call
	// it in process, without a network between.
	Handler   http.Handler
	DB        *sqlx.DB
	Customers *customer.Service
	Documents *document.Service
	Auth      *auth.Service
	// Webhooks is the site's webhook service (private addresses allowed,
	// short back-off); tests deliver with Webhooks.DeliverDue.
	Webhooks *webhook.Service
	// Users by name: "viewer", "officer", "officer2", "admin", "admin2".
	Users map[string]*auth.User
	// Replica watches Options.Replicated's replica; nil without one.
	Replica *postgres.ReadReplica
	clock   *Clock
}

// Clock is the site's clock; tests move it to cross the idle timeout.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now is the current test time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		return time.Now()
	}
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		c.now = time.Now()
	}
	c.now = c.now.Add(d)
}

// Options change how NewWith builds the site; the zero value is New's site.
type Options struct {
	Auth     func(*auth.Options)  // adjust the auth service (e.g. a tiny hashing bound)
	Config   func(*config.Config) // adjust the configuration (trusted proxies, metrics token, environment…)
	Timeouts web.Timeouts         // server timeouts; zero means the production ones
	// DatabaseURL connects to this database instead of a fresh one, e.g. a
	// migrated pgtest database reached through a proxy the test can cut.
	DatabaseURL string
	// Replicated serves the site from this primary and reads its lists from
	// the replica (as DATABASE_READ_URL does); Site.Replica is the watcher,
	// checked only when the test calls Check.
	Replicated *pgtest.Replicated
}

// New starts the site with four-eyes on and one user per role (plus a
// second officer and a second admin). authOptions adjust the auth
// service (e.g. a tiny hashing bound); its clock is always the site's.
func New(t testing.TB, authOptions ...func(*auth.Options)) *Site {
	t.Helper()
	return NewWith(t, Options{Auth: func(o *auth.Options) {
		for _, f := range authOptions {
			f(o)
		}
	}})
}

// NewWith is New with other settings. The site is served by echo's own
// http.Server, so the timeouts under test are the real ones.
func NewWith(t testing.TB, o Options) *Site {
	t.Helper()
	ctx := context.Background()
	var db *sqlx.DB
	if o.DatabaseURL != "" {
		var err error
		if db, err = postgres.Open(ctx, o.DatabaseURL); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
	} else if o.Replicated != nil {
		db = o.Replicated.DB
	} else {
		db = pgtest.New(t)
	}
	clock := &Clock{}
	cfg := config.Config{Env: config.EnvDevelopment, FourEyes: true, DocumentMaxSize: config.DefaultDocumentMaxSize,
		DocumentMaxFiles: config.DefaultDocumentMaxFiles}
	if o.Config != nil {
		o.Config(&cfg)
	}
	wh := webhook.NewService(db, webhook.Options{AllowPrivate: true, BaseBackoff: 5 * time.Millisecond,
		MaxBackoff: 20 * time.Millisecond, Timeout: 2 * time.Second})
	co := customer.Options{FourEyes: true, VerifyBaseURL: "https://verify.example.com", Events: wh}
	if cfg.ApprovalRequiresDocuments {
		co.Evidence = document.ApprovalRule()
	}
	var replica *postgres.ReadReplica
	if o.Replicated != nil {
		replica = postgres.NewReadReplica(db, o.Replicated.ReadDB, postgres.ReplicaOptions{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		co.ReadDB, co.ReadUsable = o.Replicated.ReadDB, replica.Usable
	}
	cs := customer.NewService(db, co)
	ds := document.NewService(db, cs, document.Options{MaxFileSize: cfg.DocumentMaxSize, MaxFiles: cfg.DocumentMaxFiles,
		RequireForApproval: cfg.ApprovalRequiresDocuments})
	ao := auth.Options{}
	if o.Auth != nil {
		o.Auth(&ao)
	}
	ao.Now = clock.Now
	as := auth.NewService(db, ao)
	s := &Site{t: t, DB: db, Customers: cs, Documents: ds, Auth: as, Webhooks: wh, Users: map[string]*auth.User{}, clock: clock, Replica: replica}
	for _, u := range []struct {
		name, full string
		role       access.Role
	}{
		{"viewer", "Vera Viewer", access.RoleViewer}, {"officer", "Olive Officer", access.RoleOfficer},
		{"officer2", "Omar Officer", access.RoleOfficer}, {"admin", "Ada Admin", access.RoleAdmin},
		{"admin2", "Alan Admin", access.RoleAdmin},
	} {
		nu, err := as.CreateUser(ctx, access.System("test"), auth.NewUser{Email: u.name + "@verity.test", Name: u.full, Role: u.role, Password: Password})
		if err != nil {
			t.Fatal(err)
		}
		s.Users[u.name] = nu
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, errorPage, err := site.Mount(site.Deps{Config: cfg, Log: log, Customers: cs, Documents: ds, Auth: as, AuditLog: audit.NewLog(db),
		Webhooks: wh, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e := web.New(web.Deps{Config: cfg, Log: log, DB: db, Customers: cs, Documents: ds, Keys: as, Pages: pages, ErrorPage: errorPage,
		Webhooks: wh, Timeouts: o.Timeouts, Replica: replica})
	ts := httptest.NewUnstartedServer(e)
	e.Server.Handler = e
	ts.Config = e.Server
	ts.Start()
	t.Cleanup(ts.Close)
	s.URL, s.Handler = ts.URL, e
	return s
}

// APIKey mints a service API key with a role and returns its secret.
func (s *Site) APIKey(role access.Role) string {
	s.t.Helper()
	_, secret, err := s.Auth.CreateAPIKey(context.Background(), access.System("test"), "test "+string(role), role)
	if err != nil {
		s.t.Fatal(err)
	}
	return secret
}

// Request builds a request to the site, for tests that set their own headers.
func (c *Client) Request(method, path string, body io.Reader) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(method, c.site.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	return req
}

// Clock returns the site's clock.
func (s *Site) Clock() *Clock { return s.clock }

// Actor is the named test user as the services see them.
func (s *Site) Actor(name string) access.Actor { return s.Users[name].Actor("test") }

// SeedInput is a valid new customer (shaped like the seed page's example):
// one associate, Sean Bond, with a complete document and control, so it can
// be approved.
const SeedInput = `{
  "riskScore": "LOW",
  "company": {
    "name": "Bond Holdings", "description": "Original description",
    "taxResidenceCountryCode": "US", "registrationNumber": "21-4532998",
    "address": {"addressLine1": "1 Main St", "addressLine2": "Floor 2", "city": "New York",
                "postalCode": "10001", "countryCode": "US"},
    "associates": [{
      "person": {"firstName": "Sean", "lastName": "Bond", "dateOfBirth": "2001-01-31"},
      "details": {"birthCountryCode": "US",
        "contactInfo": {"emailAddress": "Sean.Bond@disney.com", "phoneNumber": "+123456789"},
        "documentInfo": {"number": "123456789", "type": "DRIVERS_LICENSE", "issuingCountryCode": "US"},
        "taxIdentification": {"number": "914764628", "taxResidenceCountryCode": "US"}},
      "title": "CEO", "riskScore": "LOW",
      "controls": {"hasOwnership": true, "hasControl": true, "isSigner": false}
    }]
  }
}`

// NewCustomer creates a customer from a JSON body (CreateInput shape) as the
// named user; "" body means SeedInput.
func (s *Site) NewCustomer(by, body string) *customer.Customer {
	s.t.Helper()
	if body == "" {
		body = SeedInput
	}
	var in customer.CreateInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		s.t.Fatalf("customer body: %v", err)
	}
	c, _, err := s.Customers.Create(context.Background(), s.Actor(by), in, nil)
	if err != nil {
		s.t.Fatalf("create customer: %v", err)
	}
	return c
}

// Client is a browser without JavaScript: a cookie jar, no automatic
// redirects (tests look at them), and the CSRF token of the last page read.
type Client struct {
	t    testing.TB
	site *Site
	HTTP *http.Client
	CSRF string
}

// Anonymous returns a client that is not signed in (it has read the sign-in
// page, so it holds a pre-sign-in CSRF token).
func (s *Site) Anonymous() *Client {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &Client{t: s.t, site: s, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	c.Get("/sign-in").Want(http.StatusOK)
	return c
}

// SignIn returns a client signed in as the named test user.
func (s *Site) SignIn(name string) *Client {
	s.t.Helper()
	c := s.Anonymous()
	r := c.PostForm("/sign-in", url.Values{"email": {s.Users[name].Email}, "password": {Password}})
	r.Want(http.StatusSeeOther)
	c.Get("/account/password") // picks up the rotated CSRF token
	return c
}

// Response is one answer, with its body parsed as HTML.
type Response struct {
	t      testing.TB
	Status int
	Header http.Header
	Body   string
	Doc    *goquery.Document
}

// Want fails the test unless the status is the one given.
func (r *Response) Want(status int) *Response {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("status %d, want %d; body:\n%s", r.Status, status, clip(r.Body))
	}
	return r
}

// Text is the trimmed text of the elements a selector finds.
func (r *Response) Text(selector string) string {
	return strings.Join(strings.Fields(r.Doc.Find(selector).Text()), " ")
}

// Has tells whether a selector finds anything.
func (r *Response) Has(selector string) bool { return r.Doc.Find(selector).Length() > 0 }

// Location is the redirect target.
func (r *Response) Location() string { return r.Header.Get("Location") }

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// Do sends a request; for POST/PUT/PATCH/DELETE with form values it adds the
// CSRF token unless the values carry their own _csrf (even empty).
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		c.t.Fatal(err)
	}
	if tok, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok && tok != "" {
		c.CSRF = tok
	} else if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok && tok != "" {
		c.CSRF = tok
	}
	return &Response{t: c.t, Status: res.StatusCode, Header: res.Header, Body: string(body), Doc: doc}
}

// Get reads a page.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.site.URL+path, nil)
	return c.Do(req)
}

// PostForm submits a form as a browser without JavaScript does.
func (c *Client) PostForm(path string, v url.Values) *Response {
	c.t.Helper()
	return c.Do(c.formRequest(http.MethodPost, path, v))
}

// HTMX sends the request htmx would: HX-Request and the X-CSRF-Token header.
func (c *Client) HTMX(method, path string, v url.Values) *Response {
	c.t.Helper()
	var req *http.Request
	if method == http.MethodGet {
		u := c.site.URL + path
		if len(v) > 0 {
			u += "?" + v.Encode()
		}
		req, _ = http.NewRequest(method, u, nil)
	} else {
		req = c.formRequest(method, path, v)
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Current-URL", c.site.URL+path)
	return c.Do(req)
}

func (c *Client) formRequest(method, path string, v url.Values) *http.Request {
	if v == nil {
		v = url.Values{}
	}
	if _, ok := v["_csrf"]; !ok {
		v = cloneValues(v)
		v.Set("_csrf", c.CSRF)
	}
	req, _ := http.NewRequest(method, c.site.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

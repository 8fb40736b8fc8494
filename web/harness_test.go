package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
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
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/web"
	"github.com/verity-kyb/verity/web/site"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const password = "correct horse battery staple"

// edgeSite is the whole app (pages and API, wired as cmd/verity does) with
// the settings a test chooses: trusted proxies, metrics token, environment,
// timeouts, or a database reached through a proxy the test can cut.
type edgeSite struct {
	t     *testing.T
	URL   string
	DB    *sqlx.DB
	Auth  *auth.Service
	Users map[string]*auth.User // "officer", "admin"
	proxy *dbProxy
}

type siteOptions struct {
	config   func(*config.Config)
	timeouts web.Timeouts
	proxied  bool // reach PostgreSQL through a dbProxy (for outage tests)
}

func newEdgeSite(t *testing.T, o siteOptions) *edgeSite {
	t.Helper()
	ctx := context.Background()
	s := &edgeSite{t: t, Users: map[string]*auth.User{}}
	if o.proxied {
		s.proxy = newDBProxy(t, pgtest.NewURL(t))
		db, err := postgres.Open(ctx, s.proxy.url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		s.DB = db
	} else {
		s.DB = pgtest.New(t)
	}
	cs := customer.NewService(s.DB, customer.Options{FourEyes: true, VerifyBaseURL: "https://verify.example.com"})
	s.Auth = auth.NewService(s.DB, auth.Options{})
	for name, role := range map[string]access.Role{"officer": access.RoleOfficer, "admin": access.RoleAdmin} {
		u, err := s.Auth.CreateUser(ctx, access.System("test"), auth.NewUser{Email: name + "@verity.test", Name: name, Role: role, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		s.Users[name] = u
	}
	cfg := config.Config{Env: config.EnvDevelopment, FourEyes: true}
	if o.config != nil {
		o.config(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, errorPage, err := site.Mount(site.Deps{Config: cfg, Log: log, Customers: cs, Auth: s.Auth})
	if err != nil {
		t.Fatal(err)
	}
	e := web.New(web.Deps{Config: cfg, Log: log, DB: s.DB, Customers: cs, Keys: s.Auth, Pages: pages,
		ErrorPage: errorPage, Timeouts: o.timeouts})
	// Serve with echo's own http.Server, so its timeouts are the ones tested.
	ts := httptest.NewUnstartedServer(e)
	e.Server.Handler = e
	ts.Config = e.Server
	ts.Start()
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

// apiKey mints an API key with a role.
func (s *edgeSite) apiKey(role access.Role) string {
	s.t.Helper()
	_, secret, err := s.Auth.CreateAPIKey(context.Background(), access.System("test"), "edge "+string(role), role)
	if err != nil {
		s.t.Fatal(err)
	}
	return secret
}

// client is a browser without JavaScript: cookies, no redirects followed,
// and the CSRF token of the last page read.
type client struct {
	t    *testing.T
	s    *edgeSite
	http *http.Client
	csrf string
}

func (s *edgeSite) client() *client {
	jar, _ := cookiejar.New(nil)
	c := &client{t: s.t, s: s, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	c.do(c.req(http.MethodGet, "/sign-in", nil))
	return c
}

func (s *edgeSite) signIn(name string) *client {
	s.t.Helper()
	c := s.client()
	res := c.postForm("/sign-in", url.Values{"email": {s.Users[name].Email}, "password": {password}})
	if res.status != http.StatusSeeOther {
		s.t.Fatalf("sign in as %s: %d %s", name, res.status, res.body)
	}
	c.do(c.req(http.MethodGet, "/customers", nil)) // the rotated CSRF token
	return c
}

type result struct {
	status int
	header http.Header
	body   string
}

func (c *client) req(method, path string, body io.Reader) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(method, c.s.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	return req
}

func (c *client) do(req *http.Request) result {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b))); err == nil {
		if tok, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok && tok != "" {
			c.csrf = tok
		} else if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok && tok != "" {
			c.csrf = tok
		}
	}
	return result{status: res.StatusCode, header: res.Header, body: string(b)}
}

// postForm posts a urlencoded form with this session's CSRF token.
func (c *client) postForm(path string, v url.Values) result {
	c.t.Helper()
	v.Set("_csrf", c.csrf)
	req := c.req(http.MethodPost, path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// dbProxy stands between the app and PostgreSQL, so a test can take the
// database away (connections refused, open ones cut) as an outage would.
type dbProxy struct {
	url    string
	target func() (net.Conn, error)
	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	down   bool
}

func newDBProxy(t *testing.T, dsn string) *dbProxy {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	network, addr := "tcp", u.Host
	if h := q.Get("host"); strings.HasPrefix(h, "/") { // a unix socket directory
		port := q.Get("port")
		if port == "" {
			port = "5432"
		}
		network, addr = "unix", h+"/.s.PGSQL."+port
		q.Del("host")
		q.Del("port")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dbProxy{ln: ln, target: func() (net.Conn, error) { return net.DialTimeout(network, addr, 5*time.Second) }}
	u.Host = ln.Addr().String()
	u.RawQuery = q.Encode()
	p.url = u.String()
	go p.serve()
	t.Cleanup(p.stop)
	return p
}

func (p *dbProxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := p.target()
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			_ = in.Close()
			_ = out.Close()
			return
		}
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
		go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
	}
}

// stop takes the database away: new connections are refused, open ones cut.
func (p *dbProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	_ = p.ln.Close()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

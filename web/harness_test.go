package web_test

import (
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/web"
	"github.com/verity-kyb/verity/web/webtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// edgeSite is the whole app (webtest's site) with the settings a test
// chooses, and optionally a database reached through a proxy the test can cut.
type edgeSite struct {
	*webtest.Site
	proxy *dbProxy
}

type siteOptions struct {
	config   func(*config.Config)
	timeouts web.Timeouts
	proxied  bool // reach PostgreSQL through a dbProxy (for outage tests)
}

func newEdgeSite(t *testing.T, o siteOptions) *edgeSite {
	t.Helper()
	s := &edgeSite{}
	opts := webtest.Options{Config: o.config, Timeouts: o.timeouts}
	if o.proxied {
		s.proxy = newDBProxy(t, pgtest.NewURL(t))
		opts.DatabaseURL = s.proxy.url
	}
	s.Site = webtest.NewWith(t, opts)
	return s
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

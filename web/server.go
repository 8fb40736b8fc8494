// Package web is Verity's HTTP layer: echo setup, middleware, the one error
// handler, and the routes of the JSON API (web/api) and the pages.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/internal/webhook"
	"github.com/verity-kyb/verity/web/api"
)

// Deps are what the HTTP layer needs; it never opens anything itself.
type Deps struct {
	Config    config.Config
	Log       *slog.Logger
	DB        *sqlx.DB
	Customers *customer.Service
	Documents *document.Service
	Keys      api.KeyAuthenticator
	Webhooks  *webhook.Service // endpoints and deliveries (admins)
	// Pages mounts the web admin; nil serves the API only.
	Pages func(e *echo.Echo)
	// ErrorPage renders HTML errors for the pages; nil answers plain text.
	ErrorPage func(c echo.Context, env Envelope) error
	// Timeouts of the server; zero fields take DefaultTimeouts (tests shorten them).
	Timeouts Timeouts
	// Replica is the watched read replica (DATABASE_READ_URL); nil: none.
	Replica *postgres.ReadReplica
}

// New builds the echo server with every route.
func New(d Deps) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	d.Timeouts.orDefault().apply(e.Server)
	e.IPExtractor = ipExtractor(d.Config.TrustedProxies)
	e.HTTPErrorHandler = errorHandler(d)
	routes := routeSet{}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			d.Log.Error("panic", "request_id", requestID(c), "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(edgeHeaders(!d.Config.Development()))
	e.Use(observe(d.Log, routes))
	e.Use(bodyLimits(uploadRoutes(d.Config)))
	if d.Replica != nil {
		e.Use(readYourWrites(d.Replica, !d.Config.Development()))
	}

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := d.DB.PingContext(ctx); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
		}
		if d.Replica != nil {
			return c.JSON(http.StatusOK, map[string]any{"status": "ready", "replica": replicaDetail(d.Replica)})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
	if d.Config.MetricsToken != "" { // else only on METRICS_ADDR, or not at all
		e.GET("/metrics", metricsHandler(d.Config.MetricsToken))
	}

	api.Register(e.Group("/platform/v1"), api.Deps{Customers: d.Customers, Documents: d.Documents, Audit: audit.NewLog(d.DB), Keys: d.Keys,
		Webhooks: d.Webhooks})
	if d.Pages != nil {
		d.Pages(e)
	}
	routes.fill(e)
	return e
}

// ipExtractor decides what c.RealIP() — the address the sign-in throttle
// charges and the audit records — is: the direct peer, unless the peer is
// one of the trusted proxies, in which case X-Forwarded-For is read from the
// right, skipping trusted hops. echo's defaults (trust loopback and private
// networks) are turned off: only TRUSTED_PROXIES counts.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// edgeHeaders is the first thing every request meets (echo builds the
// middleware chain per request, so each layer costs a closure and a call):
// the request id — a client's X-Request-Id only when it is a short, safe
// token (it is echoed, logged and stored in the audit trail), else a fresh
// one — on the request and the response; the security policy (securityHeaders);
// and for the API, no-store (apiNoStore). The keys are canonical and the
// constant values shared, so setting them allocates and canonicalises
// nothing: nobody changes a header value in place (Set and Add replace or
// grow a slice of their own).
func edgeHeaders(hsts bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			var ids []string
			if rid := r.Header[echo.HeaderXRequestID]; len(rid) > 0 && validRequestID(rid[0]) {
				ids = rid[:1:1]
			} else {
				ids = []string{newRequestID()}
			}
			r.Header[echo.HeaderXRequestID] = ids
			h := c.Response().Header()
			h[echo.HeaderXRequestID] = ids
			securityHeaders(h, hsts)
			if IsAPIPath(r.URL.Path) {
				h["Cache-Control"] = noStore
			}
			return next(c)
		}
	}
}

// maxRequestID is the longest client-chosen request id kept.
const maxRequestID = 64

func validRequestID(s string) bool {
	if s == "" || len(s) > maxRequestID {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '.', b == '_', b == ':', b == '-':
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on supported platforms
	var x [32]byte
	hex.Encode(x[:], b[:])
	return string(x[:])
}

// The API keeps every response — customer data and errors alike — out of
// browser and proxy caches. (Pages set it in page.Render.)
var noStore = []string{"no-store"}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// errorHandler is the one place errors become responses: the JSON envelope
// for the API, a fragment or a page for the web admin.
func errorHandler(d Deps) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		env := ToEnvelope(err, requestID(c), d.Log)
		if env.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", retryAfterSeconds(env.RetryAfter))
		}
		if IsAPIPath(c.Request().URL.Path) || d.ErrorPage == nil {
			if c.Request().Method == http.MethodHead {
				_ = c.NoContent(env.Status)
				return
			}
			_ = c.JSON(env.Status, env)
			return
		}
		if rerr := d.ErrorPage(c, env); rerr != nil {
			// A client that went away (its request context is done) cannot
			// be rendered for; it still gets the status, not an empty 200.
			d.Log.Warn("rendering error page", "request_id", env.TraceID, "err", rerr)
			if !c.Response().Committed {
				_ = c.String(env.Status, env.Message)
			}
		}
	}
}

// The security policy every response carries: only our own scripts and
// styles; in production (served over TLS by the proxy) browsers are told to
// use HTTPS only, for two years, subdomains included.
var (
	hstsValue           = []string{"max-age=63072000; includeSubDomains"}
	cspValue            = []string{"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"}
	noSniffValue        = []string{"nosniff"}
	denyValue           = []string{"DENY"}
	sameOriginReferrers = []string{"same-origin"}
)

// securityHeaders sets the security policy on h.
func securityHeaders(h http.Header, hsts bool) {
	if hsts {
		h["Strict-Transport-Security"] = hstsValue
	}
	h["Content-Security-Policy"] = cspValue
	h["X-Content-Type-Options"] = noSniffValue
	h["X-Frame-Options"] = denyValue
	h["Referrer-Policy"] = sameOriginReferrers
}

// observe writes one structured line per request with its id (at info
// level) and records its latency in the metrics (metrics.go), from one
// clock reading on each side of the handler. The status is the one the
// client gets: an error's (ToEnvelope) when the handler failed, as the error
// handler will answer it after this returns.
func observe(log *slog.Logger, routes routeSet) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			latency := time.Since(start)
			status := c.Response().Status
			if err != nil {
				status = ToEnvelope(err, "", nil).Status
			}
			r := c.Request()
			observeRequest(c.Path(), r.Method, status, latency, routes)
			if ctx := r.Context(); log.Enabled(ctx, slog.LevelInfo) {
				path := r.URL.Path
				if path == "" {
					path = "/"
				}
				log.LogAttrs(ctx, slog.LevelInfo, "request",
					slog.String("request_id", r.Header.Get(echo.HeaderXRequestID)), slog.String("method", r.Method),
					slog.String("path", path), slog.Int("status", status),
					slog.Duration("latency", latency))
			}
			return err
		}
	}
}

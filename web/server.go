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
	e.Use(requestIDs)
	e.Use(requestLog(d.Log))
	e.Use(securityHeaders(!d.Config.Development()))
	e.Use(metrics(routes))
	e.Use(apiNoStore)
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

// requestIDs keeps a client's X-Request-Id only when it is a short, safe
// token (it is echoed, logged and stored in the audit trail); otherwise the
// request gets a fresh id.
func requestIDs(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		rid := c.Request().Header.Get(echo.HeaderXRequestID)
		if !validRequestID(rid) {
			rid = newRequestID()
		}
		c.Request().Header.Set(echo.HeaderXRequestID, rid)
		c.Response().Header().Set(echo.HeaderXRequestID, rid)
		return next(c)
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
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand does not fail on supported platforms
	return hex.EncodeToString(b)
}

// apiNoStore keeps every API response — customer data and errors alike —
// out of browser and proxy caches. (Pages set it in page.Render.)
func apiNoStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if IsAPIPath(c.Request().URL.Path) {
			c.Response().Header().Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

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

// securityHeaders sets a strict policy: only our own scripts and styles; in
// production (served over TLS by the proxy) browsers are told to use HTTPS
// only, for two years, subdomains included.
func securityHeaders(hsts bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
			return next(c)
		}
	}
}

// requestLog writes one structured line per request with its id.
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			if !log.Enabled(c.Request().Context(), slog.LevelInfo) {
				return nil
			}
			log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("request_id", v.RequestID), slog.String("method", v.Method),
				slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency))
			return nil
		},
	})
}

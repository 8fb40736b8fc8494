// Package web is Verity's HTTP layer: echo setup, middleware, the one error
// handler, and the routes of the JSON API (web/api) and the pages.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/api"
)

// Deps are what the HTTP layer needs; it never opens anything itself.
type Deps struct {
	Config    config.Config
	Log       *slog.Logger
	DB        *sqlx.DB
	Customers *customer.Service
	Keys      api.KeyAuthenticator
	// Pages mounts the web admin; nil serves the API only.
	Pages func(e *echo.Echo)
	// ErrorPage renders HTML errors for the pages; nil answers plain text.
	ErrorPage func(c echo.Context, env Envelope) error
}

// New builds the echo server with every route.
func New(d Deps) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Server.ReadHeaderTimeout = 10 * time.Second
	e.Server.IdleTimeout = 120 * time.Second
	e.HTTPErrorHandler = errorHandler(d)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			d.Log.Error("panic", "request_id", requestID(c), "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.RequestID())
	e.Use(requestLog(d.Log))
	e.Use(securityHeaders)
	e.Use(metrics)

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := d.DB.PingContext(ctx); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
	e.GET("/metrics", metricsHandler)

	api.Register(e.Group("/platform/v1"), api.Deps{Customers: d.Customers, Keys: d.Keys})
	if d.Pages != nil {
		d.Pages(e)
	}
	return e
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
			d.Log.Error("rendering error page", "request_id", env.TraceID, "err", rerr)
		}
	}
}

// securityHeaders sets a strict policy: only our own scripts and styles.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		return next(c)
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

// Package site assembles the web admin: sessions, CSRF, static assets, the
// error page and the routes of every area. cmd/verity and the tests build
// the pages through it, so both run the same thing.
package site

import (
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/webhook"
	"github.com/verity-kyb/verity/static"
	"github.com/verity-kyb/verity/views/errorview"
	"github.com/verity-kyb/verity/web"
	"github.com/verity-kyb/verity/web/account"
	"github.com/verity-kyb/verity/web/admin"
	"github.com/verity-kyb/verity/web/apidocs"
	"github.com/verity-kyb/verity/web/associates"
	"github.com/verity-kyb/verity/web/auditlog"
	"github.com/verity-kyb/verity/web/customerlist"
	"github.com/verity-kyb/verity/web/customerpage"
	"github.com/verity-kyb/verity/web/documents"
	"github.com/verity-kyb/verity/web/page"
)

// Deps are the services the pages call.
type Deps struct {
	Config    config.Config
	Log       *slog.Logger
	Customers *customer.Service
	Documents *document.Service
	Auth      *auth.Service
	AuditLog  *audit.Log
	Webhooks  *webhook.Service
	Now       func() time.Time // tests move the clock; time.Now when nil
}

// Mount returns what web.Deps needs for the pages: the route mounter and the
// HTML error page.
func Mount(d Deps) (func(*echo.Echo), func(echo.Context, web.Envelope) error, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if !d.Config.Development() && d.Config.SessionSecret == "" {
		return nil, nil, errors.New("SESSION_SECRET is required outside development")
	}
	sess, err := page.NewSessions(page.SessionOptions{
		Secret: d.Config.SessionSecret, Secure: !d.Config.Development(), Auth: d.Auth, Log: d.Log, Now: d.Now,
	})
	if err != nil {
		return nil, nil, err
	}
	svc := page.Services{Customers: d.Customers, Documents: d.Documents, Auth: d.Auth, Sessions: sess, Webhooks: d.Webhooks, Now: d.Now}
	mount := func(e *echo.Echo) {
		assets := fs.FS(static.FS)
		files := http.StripPrefix("/static/", http.FileServer(http.FS(assets)))
		e.GET("/static/*", func(c echo.Context) error {
			c.Response().Header().Set("Cache-Control", "public, max-age=300")
			files.ServeHTTP(c.Response(), c.Request())
			return nil
		})
		// Every page route, by area (each Register lists its own beside its handlers):
		//   account (public)  GET/POST /sign-in, POST /sign-out
		//   account           GET /account, POST /account/sessions/{end-others,:handle/end},
		//                     GET/POST /account/password
		//   customerlist      GET /customers, GET/POST /customers/new
		//   customerpage      GET /customers/:ref, GET /customers/:ref/details{,/edit}, POST …/details,
		//                     GET/POST …/status, GET …/history, POST …/notes
		//   associates        GET /customers/:ref/associates{,/edit}, POST …/associates
		//   documents         GET /customers/:ref/documents{,/new}, POST …/documents (multipart),
		//                     GET …/documents/:doc{,/content}, POST …/documents/:doc/review
		//   admin             GET/POST /admin/staff, POST /admin/staff/:id/{role,active,sessions/end},
		//                     GET/POST /admin/api-keys, POST /admin/api-keys/:id/revoke,
		//                     GET/POST /admin/webhooks, POST /admin/webhooks/:id/{enabled,rotate,delete},
		//                     POST /admin/webhooks/:id/deliveries/:delivery/redeliver
		//   auditlog          GET /admin/audit-log, GET /admin/audit-log.csv
		//   apidocs (public)  GET /docs/api
		// The JSON API (/platform/v1) is mounted by web.New, not here.
		g := e.Group("", sess.Load, page.CSRF)
		account.RegisterPublic(g, svc)
		apidocs.Register(g)
		in := g.Group("", page.RequireUser)
		in.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/customers") })
		account.Register(in, svc)
		customerlist.Register(in, svc)
		customerpage.Register(in, svc)
		associates.Register(in, svc)
		documents.Register(in, svc)
		admin.Register(in, svc)
		auditlog.Register(in, d.AuditLog)
	}
	return mount, errorPage, nil
}

// errorPage renders errors for people: a page for a navigation, a message in
// the flash area for an htmx request.
func errorPage(c echo.Context, env web.Envelope) error {
	info := errorview.ErrorInfo{Status: env.Status, Title: titleFor(env.Status), Message: env.Message, TraceID: env.TraceID}
	if env.Status >= 500 && env.Status != http.StatusServiceUnavailable { // a 503 says what to do: wait and retry
		info.Message = "Something went wrong on our side and nothing was changed. Please try again; if it keeps happening, tell support the reference below."
	}
	if page.IsHTMX(c) || c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Retarget", "#flash")
		c.Response().Header().Set("HX-Reswap", "outerHTML")
		return page.Render(c, env.Status, errorview.ErrorFlash(info))
	}
	return page.Render(c, env.Status, errorview.Error(page.Layout(c, info.Title, ""), info))
}

func titleFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Not found"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusConflict:
		return "That cannot be done now"
	case http.StatusPreconditionFailed:
		return "Changed by someone else"
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return "Something is not right in the request"
	case http.StatusServiceUnavailable:
		return "Temporarily unavailable"
	case http.StatusRequestEntityTooLarge:
		return "Too much to send"
	}
	if status >= 500 {
		return "Something went wrong"
	}
	return http.StatusText(status)
}

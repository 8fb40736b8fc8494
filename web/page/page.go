// Package page is the common ground of the web admin's handlers: the session
// (gorilla/sessions), the signed-in user, CSRF, flashes and rendering. The
// handlers of each area (web/account, web/customers, web/customer,
// web/associates, web/admin) build on it; none of them checks a permission or
// a rule of its own — they call the same services the JSON API calls.
package page

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/webhook"
	"github.com/verity-kyb/verity/views/layout"
)

// Context keys set by the session middleware.
const (
	ctxUser = "page.user"
	ctxCSRF = "page.csrf"
	ctxSess = "page.session"
)

// User is the signed-in staff member, or nil on the public pages.
func User(c echo.Context) *auth.User {
	u, _ := c.Get(ctxUser).(*auth.User)
	return u
}

// Actor is who acts in this request, for every service call: the signed-in
// user with their current role, and the request id for the audit trail.
func Actor(c echo.Context) access.Actor {
	u := User(c)
	if u == nil {
		return access.Actor{Kind: access.ActorAnonymous, RequestID: RequestID(c)}
	}
	return u.Actor(RequestID(c))
}

// RequestID is the id echo's middleware gave this request.
func RequestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// CSRFToken is the token forms must send back (hidden _csrf field or the
// X-CSRF-Token header htmx adds).
func CSRFToken(c echo.Context) string {
	t, _ := c.Get(ctxCSRF).(string)
	return t
}

// Layout fills the page shell for a signed-in page, taking any pending flash.
func Layout(c echo.Context, title, nav string) layout.Page {
	p := layout.Page{Title: title, CSRFToken: CSRFToken(c), Active: nav, Flash: TakeFlashes(c)}
	if u := User(c); u != nil {
		p.User = &layout.CurrentUser{Name: u.Name, Email: u.Email, Role: string(u.Role), IsAdmin: u.Role.Can(access.PermAdministrate)}
	}
	return p
}

// Render writes a templ component as HTML with the given status. The page
// is rendered into a buffer first: a component that fails halfway leaves
// nothing written, so the error handler can still answer with an error page
// instead of a truncated 200.
func Render(c echo.Context, status int, comp templ.Component) error {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	buf.Reset()
	if err := comp.Render(ctxWithRequest(c), buf); err != nil {
		return fmt.Errorf("render page: %w", err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set("Cache-Control", "no-store") // customer data stays out of caches
	h.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(buf.Bytes())
	return err
}

var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putRenderBuffer keeps ordinary buffers for reuse, not a rare huge one.
func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 {
		renderBuffers.Put(b)
	}
}

func ctxWithRequest(c echo.Context) context.Context { return c.Request().Context() }

// IsHTMX tells an htmx request (a partial update) from a full page load.
// Boosted navigations want whole pages, so they count as full loads.
func IsHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-Boosted") != "true"
}

// Redirect sends the browser on after a successful POST: 303 for a plain
// form, HX-Location for htmx (so the swap does not nest a whole page).
func Redirect(c echo.Context, to string) error {
	if IsHTMX(c) {
		c.Response().Header().Set("HX-Location", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// FieldErrors returns the per-field messages of a validation error (keyed by
// the service's field paths), or nil when err is of another kind.
func FieldErrors(err error) map[string][]string {
	var e *apperr.Error
	if errors.As(err, &e) && e.Kind == apperr.KindInvalid {
		if e.Fields == nil {
			return map[string][]string{}
		}
		return e.Fields
	}
	return nil
}

// AppError returns err as the domain's error type when it is one.
func AppError(err error) *apperr.Error {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// SafeNext keeps a post-sign-in destination on this site: a local absolute
// path only, never another host or a scheme-relative URL.
func SafeNext(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return next
}

// Services are what the area handlers call; every rule and permission check
// lives behind them.
type Services struct {
	Customers *customer.Service
	Documents *document.Service
	Auth      *auth.Service
	Sessions  *Sessions
	Webhooks  *webhook.Service
	Now       func() time.Time
}

// Customer reads the customer named by the route's :ref; a malformed
// reference is simply not found.
func (s Services) Customer(c echo.Context) (*customer.Customer, error) {
	ref, err := uuid.Parse(c.Param("ref"))
	if err != nil {
		return nil, apperr.NotFound("customer " + c.Param("ref"))
	}
	return s.Customers.Get(c.Request().Context(), Actor(c), ref)
}

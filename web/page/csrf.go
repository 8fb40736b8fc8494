package page

import (
	"crypto/subtle"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
)

// CSRF refuses state-changing requests that do not carry this session's
// token, from the form body's _csrf field or the X-CSRF-Token header (htmx)
// — never the query string, where a token would leak into logs, history and
// Referer headers. SameSite=Lax cookies already stop most cross-site posts;
// this stops the rest. The body is already bounded (web's bodyLimits) and
// never multipart here.
func CSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		want := CSRFToken(c)
		got := c.Request().Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.Request().PostFormValue("_csrf")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return apperr.New(apperr.KindForbidden, "csrf_failed",
				"This form has expired or did not come from Verity. Reload the page and try again; nothing was changed.")
		}
		return next(c)
	}
}

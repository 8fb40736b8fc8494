package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/postgres"
)

// PrimaryCookie marks a browser (or API client with a cookie jar) that wrote
// a moment ago: until it expires, its lists read from the primary, so the
// page after a form's 303 — served by whichever instance — shows the change.
const PrimaryCookie = "verity_primary"

// readYourWrites sends a request to the primary for its list reads when it
// writes (any method but GET, HEAD and OPTIONS) or carries PrimaryCookie, and
// gives every writer that cookie for longer than the replica may be stale.
func readYourWrites(r *postgres.ReadReplica, secure bool) echo.MiddlewareFunc {
	window := r.MaxStale() + time.Second
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			switch req.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				if _, err := req.Cookie(PrimaryCookie); err != nil {
					return next(c)
				}
			default:
				c.SetCookie(&http.Cookie{Name: PrimaryCookie, Value: "1", Path: "/",
					MaxAge: int((window + time.Second - 1) / time.Second), HttpOnly: true, Secure: secure,
					SameSite: http.SameSiteLaxMode})
			}
			c.SetRequest(req.WithContext(customer.ReadPrimary(req.Context())))
			return next(c)
		}
	}
}

// replicaDetail is /readyz's word on the replica. It never makes the
// instance unready: without the replica, reads go to the primary.
func replicaDetail(r *postgres.ReadReplica) map[string]any {
	st := r.Status()
	if st.Usable {
		return map[string]any{"status": "in use", "lagMs": st.Lag.Milliseconds()}
	}
	return map[string]any{"status": "unusable, reading from the primary", "reason": st.Reason}
}

package admin

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/page"
)

// endSessions is "Sign out everywhere" on a staff row: every session of the
// account ends at its next request (the service checks the admin role and
// writes the audit entry).
func (h handler) endSessions(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	u, n, err := h.s.Auth.EndUserSessions(c.Request().Context(), page.Actor(c), id)
	if err != nil {
		return h.refusal(c, err, layout.PathStaff)
	}
	msg := u.Name + " had no open session."
	switch {
	case n == 1:
		msg = u.Name + " is signed out of 1 session."
	case n > 1:
		msg = u.Name + " is signed out of " + strconv.Itoa(n) + " sessions."
	}
	if err := page.AddFlash(c, page.FlashSuccess, msg); err != nil {
		return err
	}
	return page.Redirect(c, layout.PathStaff)
}

package account

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/views/accountview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/page"
)

// accountPage shows who is signed in and every open session of theirs.
func (h handler) accountPage(c echo.Context) error {
	list, err := h.s.Auth.ListSessions(c.Request().Context(), page.Actor(c), page.SessionToken(c))
	if err != nil {
		return err
	}
	u := page.User(c)
	return page.Render(c, http.StatusOK, accountview.Account(page.Layout(c, "Your account", ""), accountview.AccountView{
		Name: u.Name, Email: u.Email, Role: string(u.Role), Sessions: list,
	}))
}

// endSession ends one other session of the user's (the row's "End" button).
func (h handler) endSession(c echo.Context) error {
	err := h.s.Auth.EndSession(c.Request().Context(), page.Actor(c), c.Param("handle"))
	msg := "The session has ended; that browser must sign in again."
	if e := page.AppError(err); e != nil && e.Kind == apperr.KindNotFound {
		err, msg = nil, "That session had already ended."
	}
	if err != nil {
		return err
	}
	if err := page.AddFlash(c, page.FlashSuccess, msg); err != nil {
		return err
	}
	return page.Redirect(c, layout.PathAccount)
}

// endOtherSessions ends every session of the user's but this one.
func (h handler) endOtherSessions(c echo.Context) error {
	n, err := h.s.Auth.EndOtherSessions(c.Request().Context(), page.Actor(c), page.SessionToken(c))
	if err != nil {
		return err
	}
	msg := "You had no other sessions."
	switch {
	case n == 1:
		msg = "Your other session has ended."
	case n > 1:
		msg = "Your " + strconv.Itoa(n) + " other sessions have ended."
	}
	if err := page.AddFlash(c, page.FlashSuccess, msg); err != nil {
		return err
	}
	return page.Redirect(c, layout.PathAccount)
}

// Package account serves signing in and out and changing one's own password.
package account

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/views/account"
	"github.com/verity-kyb/verity/web/page"
)

const home = "/customers"

type handler struct{ s page.Services }

// RegisterPublic mounts the pages reachable without a session.
func RegisterPublic(g *echo.Group, s page.Services) {
	h := handler{s}
	g.GET(page.PathSignIn, h.signInPage)
	g.POST(page.PathSignIn, h.signIn)
	g.POST("/sign-out", h.signOut)
}

// Register mounts the signed-in account pages.
func Register(g *echo.Group, s page.Services) {
	h := handler{s}
	g.GET("/account/password", h.passwordPage)
	g.POST("/account/password", h.changePassword)
}

func (h handler) signInPage(c echo.Context) error {
	next := page.SafeNext(c.QueryParam("next"), "")
	if page.User(c) != nil {
		return c.Redirect(http.StatusSeeOther, page.SafeNext(next, home))
	}
	return page.Render(c, http.StatusOK, account.SignIn(account.SignInForm{
		CSRFToken: page.CSRFToken(c), Next: next, Notice: page.Notice(c),
	}))
}

func (h handler) signIn(c echo.Context) error {
	email, password := strings.TrimSpace(c.FormValue("email")), c.FormValue("password")
	next := page.SafeNext(c.FormValue("next"), "")
	form := account.SignInForm{Email: email, Next: next, Fields: map[string][]string{}}
	if email == "" {
		form.Fields["email"] = []string{"Enter your e-mail address."}
	}
	if password == "" {
		form.Fields["password"] = []string{"Enter your password."}
	}
	if len(form.Fields) > 0 {
		form.CSRFToken = page.CSRFToken(c)
		return page.Render(c, http.StatusUnprocessableEntity, account.SignIn(form))
	}
	u, err := h.s.Auth.Authenticate(c.Request().Context(), email, password, c.RealIP(), page.RequestID(c))
	if err != nil {
		var e *apperr.Error
		if !errors.As(err, &e) || e.Kind != apperr.KindUnauthorized {
			return err
		}
		form.Error = e.Message
		if e.Code == "bad_credentials" {
			form.Error = "The e-mail or password is not right, or the account is deactivated."
		}
		form.CSRFToken = page.CSRFToken(c)
		status := http.StatusUnauthorized
		if e.Code == "too_many_attempts" {
			status = http.StatusTooManyRequests
		}
		return page.Render(c, status, account.SignIn(form))
	}
	if err := page.SignIn(c, u, h.s.Now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, page.SafeNext(next, home))
}

func (h handler) signOut(c echo.Context) error {
	if page.User(c) != nil {
		if err := h.s.Auth.Logout(c.Request().Context(), page.Actor(c)); err != nil {
			return err
		}
	}
	if err := page.SignOut(c); err != nil {
		return err
	}
	if err := page.AddFlashNotice(c, "You are signed out."); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, page.PathSignIn)
}

func (h handler) passwordPage(c echo.Context) error {
	return page.Render(c, http.StatusOK, account.ChangePassword(page.Layout(c, "Change password", ""), account.PasswordForm{}))
}

func (h handler) changePassword(c echo.Context) error {
	current, next, confirm := c.FormValue("currentPassword"), c.FormValue("newPassword"), c.FormValue("confirmPassword")
	if next != confirm {
		fields := map[string][]string{"confirmPassword": {"must match the new password"}}
		return page.Render(c, http.StatusUnprocessableEntity,
			account.ChangePassword(page.Layout(c, "Change password", ""), account.PasswordForm{Fields: fields}))
	}
	version, err := h.s.Auth.ChangePassword(c.Request().Context(), page.Actor(c), current, next)
	if fields := page.FieldErrors(err); fields != nil {
		return page.Render(c, http.StatusUnprocessableEntity,
			account.ChangePassword(page.Layout(c, "Change password", ""), account.PasswordForm{Fields: fields}))
	}
	if err != nil {
		return err
	}
	u := *page.User(c)
	u.SessionVersion = version
	if err := page.SignIn(c, &u, h.s.Now()); err != nil {
		return err
	}
	if err := page.AddFlash(c, page.FlashSuccess, "Your password was changed. Your other sessions have ended."); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, home)
}

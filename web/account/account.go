// Package account serves signing in and out, the account page with the
// user's sessions, and changing one's own password.
package account

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/views/accountview"
	"github.com/verity-kyb/verity/views/layout"
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
	g.GET(layout.PathAccount, h.accountPage)
	g.POST(layout.PathAccount+"/sessions/end-others", h.endOtherSessions)
	g.POST(layout.PathAccount+"/sessions/:handle/end", h.endSession)
	g.GET(layout.PathChangePassword, h.passwordPage)
	g.POST(layout.PathChangePassword, h.changePassword)
}

func (h handler) signInPage(c echo.Context) error {
	next := page.SafeNext(c.QueryParam("next"), "")
	if page.User(c) != nil {
		return c.Redirect(http.StatusSeeOther, page.SafeNext(next, home))
	}
	return page.Render(c, http.StatusOK, accountview.SignIn(accountview.SignInForm{
		CSRFToken: page.CSRFToken(c), Next: next, Notice: page.Notice(c),
	}))
}

func (h handler) signIn(c echo.Context) error {
	email, password := strings.TrimSpace(c.FormValue("email")), c.FormValue("password")
	next := page.SafeNext(c.FormValue("next"), "")
	form := accountview.SignInForm{Email: email, Next: next, Fields: map[string][]string{}}
	if email == "" {
		form.Fields["email"] = []string{"Enter your e-mail address."}
	}
	if password == "" {
		form.Fields["password"] = []string{"Enter your password."}
	}
	if len(form.Fields) > 0 {
		form.CSRFToken = page.CSRFToken(c)
		return page.Render(c, http.StatusUnprocessableEntity, accountview.SignIn(form))
	}
	client := auth.Client{IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
	u, token, err := h.s.Auth.SignIn(c.Request().Context(), email, password, client, page.RequestID(c))
	if err != nil {
		e := page.AppError(err)
		if e == nil {
			return err
		}
		status := http.StatusUnauthorized
		switch e.Kind {
		case apperr.KindUnauthorized:
		case apperr.KindTooMany:
			status = http.StatusTooManyRequests
		case apperr.KindUnavailable:
			status = http.StatusServiceUnavailable
		default:
			return err
		}
		if e.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
		}
		form.Error = upperFirst(e.Message) + "."
		if e.Code == "bad_credentials" {
			form.Error = "The e-mail or password is not right, or the account is deactivated."
		}
		form.CSRFToken = page.CSRFToken(c)
		return page.Render(c, status, accountview.SignIn(form))
	}
	if err := page.SignIn(c, u, token); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, page.SafeNext(next, home))
}

func (h handler) signOut(c echo.Context) error {
	if page.User(c) != nil {
		if err := h.s.Auth.Logout(c.Request().Context(), page.Actor(c), page.SessionToken(c)); err != nil {
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
	return page.Render(c, http.StatusOK, accountview.ChangePassword(page.Layout(c, "Change password", ""), accountview.PasswordForm{}))
}

func (h handler) changePassword(c echo.Context) error {
	current, next, confirm := c.FormValue("currentPassword"), c.FormValue("newPassword"), c.FormValue("confirmPassword")
	if next != confirm {
		fields := map[string][]string{"confirmPassword": {"must match the new password"}}
		return page.Render(c, http.StatusUnprocessableEntity,
			accountview.ChangePassword(page.Layout(c, "Change password", ""), accountview.PasswordForm{Fields: fields}))
	}
	err := h.s.Auth.ChangePassword(c.Request().Context(), page.Actor(c), auth.PasswordChange{
		Current: current, Next: next, Session: page.SessionToken(c), IP: c.RealIP(),
	})
	if fields := page.FieldErrors(err); fields != nil {
		return page.Render(c, http.StatusUnprocessableEntity,
			accountview.ChangePassword(page.Layout(c, "Change password", ""), accountview.PasswordForm{Fields: fields}))
	}
	if err != nil {
		return err
	}
	if err := page.AddFlash(c, page.FlashSuccess, "Your password was changed. Your other sessions have ended."); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, layout.PathAccount)
}

// upperFirst starts a service message with a capital, for a sentence on the page.
func upperFirst(s string) string {
	if r, size := utf8.DecodeRuneInString(s); size > 0 {
		return string(unicode.ToUpper(r)) + s[size:]
	}
	return s
}

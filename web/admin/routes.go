// Package admin serves the admin pages: staff accounts, API keys and webhooks. The
// auth service decides who may do what (admins only, never on oneself).
package admin

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/views/adminview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

type handler struct{ s page.Services }

// Register mounts this area's pages on the signed-in group.
func Register(g *echo.Group, s page.Services) {
	h := handler{s}
	g.GET(layout.PathStaff, h.staff)
	g.POST(layout.PathStaff, h.createUser)
	g.POST(layout.PathStaff+"/:id/role", h.setRole)
	g.POST(layout.PathStaff+"/:id/active", h.setActive)
	g.POST(layout.PathStaff+"/:id/sessions/end", h.endSessions)
	g.GET(layout.PathAPIKeys, h.keys)
	g.POST(layout.PathAPIKeys, h.createKey)
	g.POST(layout.PathAPIKeys+"/:id/revoke", h.revoke)
	if s.Webhooks != nil {
		registerWebhooks(g, h)
	}
}

func (h handler) renderStaff(c echo.Context, status int, v adminview.StaffView) error {
	users, err := h.s.Auth.ListUsers(c.Request().Context(), page.Actor(c))
	if err != nil {
		return err
	}
	v.Users, v.SelfID, v.CSRF = users, page.User(c).ID, page.CSRFToken(c)
	return page.Render(c, status, adminview.Staff(page.Layout(c, "Staff accounts", layout.NavStaff), v))
}

func (h handler) staff(c echo.Context) error {
	return h.renderStaff(c, http.StatusOK, adminview.StaffView{})
}

func (h handler) createUser(c echo.Context) error {
	posted, err := c.FormParams()
	if err != nil {
		return apperr.BadRequest("malformed_form", "the form could not be read")
	}
	vals := form.Staff.Read(posted, "")
	u, err := h.s.Auth.CreateUser(c.Request().Context(), page.Actor(c), form.Staff.Decode(vals))
	if fields := page.FieldErrors(err); fields != nil {
		delete(vals, "password") // never sent back to the browser
		return h.renderStaff(c, http.StatusUnprocessableEntity, adminview.StaffView{Values: vals, Errors: fields})
	}
	if err != nil {
		return err
	}
	if err := page.AddFlash(c, page.FlashSuccess, "Account created for "+u.Email+"."); err != nil {
		return err
	}
	return page.Redirect(c, layout.PathStaff)
}

func userID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return 0, apperr.NotFound("staff account " + c.Param("id"))
	}
	return id, nil
}

// refusal shows a refused change (e.g. on oneself) as a message on the list.
func (h handler) refusal(c echo.Context, err error, back string) error {
	if e := page.AppError(err); e != nil && (e.Kind == apperr.KindConflict || e.Kind == apperr.KindInvalid) {
		if ferr := page.AddFlash(c, page.FlashError, refusalText(e)); ferr != nil {
			return ferr
		}
		return page.Redirect(c, back)
	}
	return err
}

// refusalText is a refusal as a sentence: the field messages when there are
// some ("Role: must be viewer, officer or admin."), else the error's message.
func refusalText(e *apperr.Error) string {
	msg := e.Message
	if len(e.Fields) > 0 {
		var parts []string
		for _, p := range form.Staff.Summary(e.Fields, form.Place{}) {
			parts = append(parts, p.Text)
		}
		msg = strings.Join(parts, " ")
	}
	if r, size := utf8.DecodeRuneInString(msg); size > 0 {
		msg = string(unicode.ToUpper(r)) + msg[size:]
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

func (h handler) setRole(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	role, _ := access.ParseRole(c.FormValue("role"))
	u, err := h.s.Auth.SetRole(c.Request().Context(), page.Actor(c), id, role)
	if err != nil {
		return h.refusal(c, err, layout.PathStaff)
	}
	if err := page.AddFlash(c, page.FlashSuccess, u.Name+" is now "+string(u.Role)+"."); err != nil {
		return err
	}
	return page.Redirect(c, layout.PathStaff)
}

func (h handler) setActive(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	active := c.FormValue("active") == "true"
	u, err := h.s.Auth.SetActive(c.Request().Context(), page.Actor(c), id, active)
	if err != nil {
		return h.refusal(c, err, layout.PathStaff)
	}
	msg := u.Name + " is deactivated and signed out."
	if active {
		msg = u.Name + " is active again."
	}
	if err := page.AddFlash(c, page.FlashSuccess, msg); err != nil {
		return err
	}
	return page.Redirect(c, layout.PathStaff)
}

func (h handler) renderKeys(c echo.Context, status int, v adminview.KeysView) error {
	ctx, actor := c.Request().Context(), page.Actor(c)
	keys, err := h.s.Auth.ListAPIKeys(ctx, actor)
	if err != nil {
		return err
	}
	users, err := h.s.Auth.ListUsers(ctx, actor)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Active {
			v.Owners = append(v.Owners, u)
		}
	}
	v.Keys, v.CSRF, v.SelfID, v.Now = keys, page.CSRFToken(c), page.User(c).ID, time.Now()
	return page.Render(c, status, adminview.APIKeys(page.Layout(c, "API keys", layout.NavAPIKeys), v))
}

func (h handler) keys(c echo.Context) error {
	return h.renderKeys(c, http.StatusOK, adminview.KeysView{})
}

// createKey answers with the page itself (not a redirect), so the new key is
// shown once and never travels through a cookie, a flash or a URL. The key
// belongs to the chosen owner (the admin by default).
func (h handler) createKey(c echo.Context) error {
	posted, err := c.FormParams()
	if err != nil {
		return apperr.BadRequest("malformed_form", "the form could not be read")
	}
	vals := form.APIKey.Read(posted, "")
	k, secret, err := h.s.Auth.IssueAPIKey(c.Request().Context(), page.Actor(c), form.APIKey.Decode(vals))
	if fields := page.FieldErrors(err); fields != nil {
		return h.renderKeys(c, http.StatusUnprocessableEntity, adminview.KeysView{Values: vals, Errors: fields})
	}
	if err != nil {
		return err
	}
	return h.renderKeys(c, http.StatusCreated, adminview.KeysView{Secret: secret, SecretName: k.Name})
}

func (h handler) revoke(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("API key " + c.Param("id"))
	}
	if err := h.s.Auth.RevokeAPIKey(c.Request().Context(), page.Actor(c), id); err != nil {
		return h.refusal(c, err, layout.PathAPIKeys)
	}
	if err := page.AddFlash(c, page.FlashSuccess, "API key revoked."); err != nil {
		return err
	}
	return page.Redirect(c, layout.PathAPIKeys)
}

package admin

import (
	"net/http"
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/webhook"
	"github.com/verity-kyb/verity/views/adminview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

// recentDeliveries is how many deliveries the page shows per endpoint.
const recentDeliveries = 20

// registerWebhooks mounts /admin/webhooks (admins only: the webhook service checks).
func registerWebhooks(g *echo.Group, h handler) {
	g.GET(layout.PathWebhooks, h.webhooks)
	g.POST(layout.PathWebhooks, h.createWebhook)
	g.POST(layout.PathWebhooks+"/:id/enabled", h.setWebhookEnabled)
	g.POST(layout.PathWebhooks+"/:id/rotate", h.rotateWebhook)
	g.POST(layout.PathWebhooks+"/:id/delete", h.deleteWebhook)
	g.POST(layout.PathWebhooks+"/:id/deliveries/:delivery/redeliver", h.redeliver)
}

// renderWebhooks fills v with the endpoints and their recent deliveries —
// of one customer when the page was asked ?customer=<reference>.
func (h handler) renderWebhooks(c echo.Context, status int, v adminview.WebhooksView) error {
	ctx, a := c.Request().Context(), page.Actor(c)
	list, err := h.s.Webhooks.List(ctx, a)
	if err != nil {
		return err
	}
	var cust *uuid.UUID
	if ref, err := uuid.Parse(c.QueryParam("customer")); err == nil {
		cust, v.Customer = &ref, ref.String()
	}
	v.Endpoints, v.Deliveries, v.CSRF = list, map[int64][]webhook.Delivery{}, page.CSRFToken(c)
	for _, e := range list {
		ds, err := h.s.Webhooks.Deliveries(ctx, a, webhook.DeliveryFilter{Endpoint: &e.Reference, Customer: cust, Limit: recentDeliveries})
		if err != nil {
			return err
		}
		v.Deliveries[e.ID] = ds
	}
	return page.Render(c, status, adminview.Webhooks(page.Layout(c, "Webhooks", layout.NavWebhooks), v))
}

func (h handler) webhooks(c echo.Context) error {
	return h.renderWebhooks(c, http.StatusOK, adminview.WebhooksView{})
}

// createWebhook answers with the page itself (not a redirect), so the secret
// is shown once and never travels through a cookie, a flash or a URL.
func (h handler) createWebhook(c echo.Context) error {
	posted, err := c.FormParams()
	if err != nil {
		return apperr.BadRequest("malformed_form", "the form could not be read")
	}
	vals := form.Webhook.Read(posted, "")
	e, secret, err := h.s.Webhooks.Create(c.Request().Context(), page.Actor(c), form.Webhook.Decode(vals))
	if fields := page.FieldErrors(err); fields != nil {
		return h.renderWebhooks(c, http.StatusUnprocessableEntity, adminview.WebhooksView{Values: vals, Errors: fields})
	}
	if err != nil {
		return err
	}
	return h.renderWebhooks(c, http.StatusCreated, adminview.WebhooksView{Secret: secret, SecretFor: e.URL})
}

func endpointRef(c echo.Context) (uuid.UUID, error) {
	ref, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, apperr.NotFound("webhook endpoint " + c.Param("id"))
	}
	return ref, nil
}

func (h handler) setWebhookEnabled(c echo.Context) error {
	ref, err := endpointRef(c)
	if err != nil {
		return err
	}
	on := c.FormValue("enabled") == "true"
	if _, err := h.s.Webhooks.SetEnabled(c.Request().Context(), page.Actor(c), ref, on); err != nil {
		return h.refusal(c, err, layout.PathWebhooks)
	}
	msg := "Endpoint disabled: it gets no new events, and queued ones wait."
	if on {
		msg = "Endpoint enabled."
	}
	if err := page.AddFlash(c, page.FlashSuccess, msg); err != nil {
		return err
	}
	return page.Redirect(c, layout.PathWebhooks)
}

// rotateWebhook shows the new secret on the page it answers with, once.
func (h handler) rotateWebhook(c echo.Context) error {
	ref, err := endpointRef(c)
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), page.Actor(c)
	secret, err := h.s.Webhooks.Rotate(ctx, a, ref)
	if err != nil {
		return h.refusal(c, err, layout.PathWebhooks)
	}
	e, err := h.s.Webhooks.Get(ctx, a, ref)
	if err != nil {
		return err
	}
	return h.renderWebhooks(c, http.StatusOK, adminview.WebhooksView{Secret: secret, SecretFor: e.URL})
}

func (h handler) deleteWebhook(c echo.Context) error {
	ref, err := endpointRef(c)
	if err != nil {
		return err
	}
	if err := h.s.Webhooks.Delete(c.Request().Context(), page.Actor(c), ref); err != nil {
		return h.refusal(c, err, layout.PathWebhooks)
	}
	if err := page.AddFlash(c, page.FlashSuccess, "Endpoint removed; its delivery record is kept."); err != nil {
		return err
	}
	return page.Redirect(c, layout.PathWebhooks)
}

func (h handler) redeliver(c echo.Context) error {
	ref, err := endpointRef(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("delivery"), 10, 64)
	if err != nil {
		return apperr.NotFound("delivery " + c.Param("delivery"))
	}
	if _, err := h.s.Webhooks.Redeliver(c.Request().Context(), page.Actor(c), ref, id); err != nil {
		return h.refusal(c, err, layout.PathWebhooks)
	}
	if err := page.AddFlash(c, page.FlashSuccess, "Queued for redelivery."); err != nil {
		return err
	}
	return page.Redirect(c, layout.PathWebhooks)
}

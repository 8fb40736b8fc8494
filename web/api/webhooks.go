package api

import (
	"net/http"
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/webhook"
)

// registerWebhooks mounts the webhook endpoints (admin keys only; the
// webhook service checks).
func registerWebhooks(add func(method, path string, fn echo.HandlerFunc), h handlers) {
	add(http.MethodGet, "/webhooks", h.handleWebhookList)
	add(http.MethodPost, "/webhooks", h.handleWebhookCreate)
	add(http.MethodGet, "/webhooks/:id", h.handleWebhookGet)
	add(http.MethodPut, "/webhooks/:id", h.handleWebhookUpdate)
	add(http.MethodDelete, "/webhooks/:id", h.handleWebhookDelete)
	add(http.MethodPost, "/webhooks/:id/rotate-secret", h.handleWebhookRotate)
	add(http.MethodGet, "/webhooks/:id/deliveries", h.handleWebhookDeliveries)
	add(http.MethodPost, "/webhooks/:id/deliveries/:delivery/redeliver", h.handleWebhookRedeliver)
}

// webhookWithSecret is an endpoint with its secret: the one answer that
// shows it (create, rotate).
type webhookWithSecret struct {
	*webhook.Endpoint
	Secret string `json:"secret"`
}

func webhookRef(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, apperr.NotFound("webhook endpoint " + c.Param("id"))
	}
	return id, nil
}

func (h handlers) handleWebhookList(c echo.Context) error {
	list, err := h.Webhooks.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"content": list})
}

func (h handlers) handleWebhookCreate(c echo.Context) error {
	var in webhook.Input
	if _, err := readJSON(c, &in); err != nil {
		return err
	}
	ep, secret, err := h.Webhooks.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/platform/v1/webhooks/"+ep.Reference.String())
	return c.JSON(http.StatusCreated, webhookWithSecret{ep, secret})
}

func (h handlers) handleWebhookGet(c echo.Context) error {
	ref, err := webhookRef(c)
	if err != nil {
		return err
	}
	ep, err := h.Webhooks.Get(c.Request().Context(), actorOf(c), ref)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ep)
}

func (h handlers) handleWebhookUpdate(c echo.Context) error {
	ref, err := webhookRef(c)
	if err != nil {
		return err
	}
	var in webhook.Input
	if _, err := readJSON(c, &in); err != nil {
		return err
	}
	ep, err := h.Webhooks.Update(c.Request().Context(), actorOf(c), ref, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ep)
}

// handleWebhookDelete retires the endpoint; its delivery record stays.
func (h handlers) handleWebhookDelete(c echo.Context) error {
	ref, err := webhookRef(c)
	if err != nil {
		return err
	}
	if err := h.Webhooks.Delete(c.Request().Context(), actorOf(c), ref); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h handlers) handleWebhookRotate(c echo.Context) error {
	ref, err := webhookRef(c)
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actorOf(c)
	secret, err := h.Webhooks.Rotate(ctx, a, ref)
	if err != nil {
		return err
	}
	ep, err := h.Webhooks.Get(ctx, a, ref)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, webhookWithSecret{ep, secret})
}

func (h handlers) handleWebhookDeliveries(c echo.Context) error {
	ref, err := webhookRef(c)
	if err != nil {
		return err
	}
	errs := apperr.FieldErrors{}
	size := keysetSize(c, errs, 100)
	before := intParam(errs, c.QueryParam("before"), "before")
	f := webhook.DeliveryFilter{Endpoint: &ref, Before: int64(before), Limit: size + 1}
	if v := c.QueryParam("customer"); v != "" {
		cu, err := uuid.Parse(v)
		if err != nil {
			errs.Add("customer", "must be a customer reference (UUID)")
		}
		f.Customer = &cu
	}
	if err := apperr.Invalid(errs); err != nil {
		return err
	}
	list, err := h.Webhooks.Deliveries(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(list, size, func(d webhook.Delivery) int64 { return d.ID }, same[webhook.Delivery]))
}

func (h handlers) handleWebhookRedeliver(c echo.Context) error {
	ref, err := webhookRef(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("delivery"), 10, 64)
	if err != nil {
		return apperr.NotFound("delivery " + c.Param("delivery"))
	}
	newID, err := h.Webhooks.Redeliver(c.Request().Context(), actorOf(c), ref, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]int64{"id": newID})
}

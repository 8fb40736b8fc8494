package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// reviewConfirmInput is the body of POST /customers/{reference}/review/confirm.
type reviewConfirmInput struct {
	Reason string `json:"reason"`
}

// handleReviewConfirm is "Confirm verification" of a customer changed since
// approval: 200 with the customer, 409 not_review_required or four_eyes.
func (h handlers) handleReviewConfirm(c echo.Context) error {
	ref, err := reference(c)
	if err != nil {
		return err
	}
	var in reviewConfirmInput
	if _, err := readJSON(c, &in); err != nil {
		return err
	}
	cu, err := h.Customers.ConfirmReview(c.Request().Context(), actorOf(c), ref, in.Reason, ifMatch(c), false)
	if err != nil {
		return err
	}
	return writeCustomer(c, http.StatusOK, cu)
}

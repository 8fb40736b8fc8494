package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/customer"
)

// withRequiredActions is a page of customers as the API sends them
// (customer.JSON, the shape webhooks send too).
func withRequiredActions(list []*customer.Customer) []customer.JSON {
	out := make([]customer.JSON, len(list))
	for i, c := range list {
		out[i] = customer.AsJSON(c)
	}
	return out
}

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

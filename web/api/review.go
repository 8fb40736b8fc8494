package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/customer"
)

// customerJSON is the customer as the API sends it: the contract's shape plus
// requiredActions, the unmet approval conditions and a pending re-review.
type customerJSON struct {
	*customer.Customer
	RequiredActions []customer.Problem `json:"requiredActions"`
}

// withRequiredActions is a page of customers as the API sends them.
func withRequiredActions(list []*customer.Customer) []customerJSON {
	out := make([]customerJSON, len(list))
	for i, c := range list {
		out[i] = customerJSON{Customer: c, RequiredActions: customer.RequiredActions(c)}
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

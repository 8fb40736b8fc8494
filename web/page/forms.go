package page

import (
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

// Ref reads the route's :ref without loading the customer, for handlers that
// let the service's write load it; a malformed reference is simply not found.
func Ref(c echo.Context) (uuid.UUID, error) {
	ref, err := uuid.Parse(c.Param("ref"))
	if err != nil {
		return uuid.Nil, apperr.NotFound("customer " + c.Param("ref"))
	}
	return ref, nil
}

// Version reads a form's hidden version field; a form without one counts as
// stale, so it can never overwrite a newer change.
func Version(c echo.Context) customer.Versions {
	v, err := strconv.Atoi(c.FormValue("version"))
	if err != nil {
		return customer.Versions{-1}
	}
	return customer.Versions{v}
}

// NotOffered is the answer to a form the service does not offer this actor
// (customer.Service.ActionsFor): 403 through the one error handler, whatever
// the role. Posting anyway meets the service's own refusal.
func NotOffered(c echo.Context) error {
	return apperr.Forbidden("this is not one of the actions your role (%s) may take", Actor(c).Role)
}

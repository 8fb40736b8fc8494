package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
)

// assigneeInput is the body of PUT /customers/{reference}/assignee:
// {"assignee": "<staff e-mail or id>" | <id> | null}.
type assigneeInput struct {
	Assignee json.RawMessage `json:"assignee"`
}

// who reads the assignee: "" for null (nobody), else the e-mail or id.
func (in assigneeInput) who() (string, error) {
	raw := bytes.TrimSpace(in.Assignee)
	bad := apperr.Invalid(apperr.FieldErrors{"assignee": {"must be a staff e-mail, a staff id or null"}})
	switch {
	case len(raw) == 0:
		return "", apperr.Invalid(apperr.FieldErrors{"assignee": {"is required (null unassigns)"}})
	case bytes.Equal(raw, []byte("null")):
		return "", nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || s == "" {
			return "", bad
		}
		return s, nil
	}
	var id int64
	if err := json.Unmarshal(raw, &id); err != nil || id <= 0 {
		return "", bad
	}
	return strconv.FormatInt(id, 10), nil
}

// handleCustomerAssignee sets or clears the owner of a customer's case; a
// key acts for its owner ("me" is the key's owner).
func (h handlers) handleCustomerAssignee(c echo.Context) error {
	ref, err := reference(c)
	if err != nil {
		return err
	}
	var in assigneeInput
	if _, err := readJSON(c, &in); err != nil {
		return err
	}
	who, err := in.who()
	if err != nil {
		return err
	}
	cu, err := h.Customers.Assign(c.Request().Context(), actorOf(c), ref, who, ifMatch(c))
	if err != nil {
		return err
	}
	return writeCustomer(c, http.StatusOK, cu)
}

// handleNextCase assigns the oldest unassigned PENDING customer to the key's
// owner and answers it; 404 no_case when none is left.
func (h handlers) handleNextCase(c echo.Context) error {
	cu, err := h.Customers.NextCase(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return writeCustomer(c, http.StatusOK, cu)
}

package main

// The stack floor (make bench-floor, docs/performance-method.md): with
// `-driver DATABASE_URL` the stub (stub.go) also runs, per request, the
// statements `verity serve` runs for it — GET one's read, a PUT's read and
// its one write statement — through database/sql and lib/pq on a pool of the
// server's size (customer.StackFloor: the service's own SQL, prepared), then
// answers the recorded bytes. No rules, no JSON decoding, no audit diff: what
// any server on this stack pays per request besides HTTP.

import (
	"context"
	"flag"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/internal/webhook"
)

var driverURL = flag.String("driver", "", "stub: also run each request's statements on this database (the stack floor)")

// customersPath is the API's customers collection.
const customersPath = "/platform/v1/customers/"

// floorRequest is which statements a request runs and on which customer;
// ok is false for a request the floor does not cover (it is only answered).
func floorRequest(method, path string) (customer.FloorKind, uuid.UUID, bool) {
	rest, found := strings.CutPrefix(path, customersPath)
	if !found {
		return 0, uuid.Nil, false
	}
	ref, sub, _ := strings.Cut(rest, "/")
	id, err := uuid.Parse(ref)
	if err != nil {
		return 0, uuid.Nil, false
	}
	switch {
	case method == http.MethodGet && sub == "":
		return customer.FloorRead, id, true
	case method == http.MethodPut && sub == "":
		return customer.FloorDetails, id, true
	case method == http.MethodPut && sub == "status":
		return customer.FloorStatus, id, true
	case method == http.MethodPut && sub == "associates":
		return customer.FloorAssociates, id, true
	}
	return 0, uuid.Nil, false
}

// openFloor connects to the database as verity serve does (its pool size
// and parameters) and wires the webhook outbox's statement parts in.
func openFloor(ctx context.Context, url string) (*customer.StackFloor, func(), error) {
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, nil, err
	}
	floor := customer.NewStackFloor(db, webhook.NewService(db, webhook.Options{}))
	return floor, func() { _ = db.Close() }, nil
}

// withFloor runs the request's statements before next answers it; a failed
// statement answers 500, which verity-load counts as an error.
func withFloor(floor *customer.StackFloor, answers map[string]answer, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if kind, ref, ok := floorRequest(r.Method, r.URL.Path); ok {
			var payload []byte
			if a, found := answers[answerKey(r.Method, r.URL.RequestURI())]; found {
				payload = a.Body // data-updated carries the customer as the API answers it
			}
			if err := floor.Run(r.Context(), kind, ref, payload); err != nil {
				return c.String(http.StatusInternalServerError, "stack floor: "+err.Error())
			}
		}
		return next(c)
	}
}

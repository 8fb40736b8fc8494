package api

import (
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/csvexport"
)

// handleCustomerExport streams every customer GET /customers would list
// with the same query (status, riskScore, q, assignee, overdue,
// reviewRequired, sort; page and size ignored) as CSV, as the list page's
// export does. Any key that may read.
func (h handlers) handleCustomerExport(c echo.Context) error {
	f, err := filterFromQuery(c.QueryParams())
	if err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	return csvexport.Stream(c, csvexport.CustomersFile(h.Customers.Now()), csvexport.CustomerHeader, func(write func([]string) error) error {
		return h.Customers.Export(ctx, actor, f, nil, func(r *customer.ExportRow) error { return write(csvexport.CustomerRow(r)) })
	})
}

package customerlist

import (
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/csvexport"
	"github.com/verity-kyb/verity/web/page"
)

// PathCSV is the export of a list view: the same query as /customers.
const PathCSV = "/customers.csv"

// export streams the list view of the address as CSV: every matching
// customer, not one page.
func (h handler) export(c echo.Context) error {
	q, _ := readQuery(c)
	return h.writeCSV(c, filterOf(q), nil)
}

// writeCSV streams the customers of f (narrowed to refs when not nil), each
// row written as the service reads it.
func (h handler) writeCSV(c echo.Context, f customer.Filter, refs []uuid.UUID) error {
	name := csvexport.CustomersFile(h.s.Customers.Now())
	return csvexport.Stream(c, name, csvexport.CustomerHeader, func(write func([]string) error) error {
		return h.s.Customers.Export(c.Request().Context(), page.Actor(c), f, refs, func(r *customer.ExportRow) error {
			return write(csvexport.CustomerRow(r))
		})
	})
}

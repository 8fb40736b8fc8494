package customerlist

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/auditlog"
	"github.com/verity-kyb/verity/web/page"
)

// PathCSV is the export of a list view: the same query as /customers.
const PathCSV = "/customers.csv"

// csvHeader names the export's columns.
var csvHeader = []string{"reference", "name", "registrationNumber", "country", "status", "risk", "assignee",
	"statusSince", "associates", "createdAt", "updatedAt"}

// flushEvery is how many rows go out before the writer pushes them to the client.
const flushEvery = 500

// export streams the list view of the address as CSV: every matching
// customer, not one page.
func (h handler) export(c echo.Context) error {
	q, _ := readQuery(c)
	return h.writeCSV(c, filterOf(q), nil)
}

// writeCSV streams the customers of f (narrowed to refs when not nil), each
// row written as the service reads it. A refusal before the first row is an
// error page; after it the download is cut short and the error logged.
func (h handler) writeCSV(c echo.Context, f customer.Filter, refs []uuid.UUID) error {
	res := c.Response()
	w := csv.NewWriter(res)
	started := false
	start := func() error {
		started = true
		name := "customers-" + h.s.Customers.Now().UTC().Format("2006-01-02") + ".csv"
		res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
		res.Header().Set(echo.HeaderCacheControl, "no-store")
		res.WriteHeader(http.StatusOK)
		return w.Write(csvHeader)
	}
	n := 0
	err := h.s.Customers.Export(c.Request().Context(), page.Actor(c), f, refs, func(r *customer.ExportRow) error {
		if !started {
			if err := start(); err != nil {
				return err
			}
		}
		if err := w.Write(csvRow(r)); err != nil {
			return err
		}
		if n++; n%flushEvery == 0 {
			w.Flush()
			res.Flush()
		}
		return w.Error()
	})
	if err != nil {
		return err
	}
	if !started {
		if err := start(); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// csvRow is one customer as CSV cells, each safe to open in a spreadsheet.
func csvRow(r *customer.ExportRow) []string {
	assignee := ""
	if r.Assignee != nil {
		assignee = r.Assignee.Name + " <" + r.Assignee.Email + ">"
	}
	cells := []string{r.Reference.String(), r.Name, r.RegistrationNumber, r.CountryCode, string(r.Status),
		string(r.RiskScore), assignee, r.StatusSince.Format(time.RFC3339), strconv.Itoa(r.Associates),
		r.CreatedAt.Format(time.RFC3339), r.UpdatedAt.Format(time.RFC3339)}
	for i := range cells {
		cells[i] = auditlog.SafeCell(cells[i])
	}
	return cells
}

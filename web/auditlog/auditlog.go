// Package auditlog serves the administrators' audit log page and its CSV
// export. The audit log service decides who may read it (admins only).
package auditlog

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/views/auditlogview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/csvexport"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

// PathCSV is the export of the filtered log.
const PathCSV = layout.PathAuditLog + ".csv"

// pageSize is how many entries one page of the log shows.
const pageSize = 50

type handler struct{ log *audit.Log }

// Register mounts the audit log on the signed-in group.
func Register(g *echo.Group, log *audit.Log) {
	h := handler{log}
	g.GET(layout.PathAuditLog, h.show)
	g.GET(PathCSV, h.export)
}

// filterOf reads the filter form from the query: the values as typed (to
// show again), the service's filter, and the messages of values it cannot read.
func filterOf(q url.Values) (form.Values, audit.Filter, apperr.FieldErrors) {
	vals := form.Values{}
	for _, s := range form.AuditFilter {
		vals[s.Path] = strings.TrimSpace(q.Get(s.Path))
	}
	f, errs := audit.ParseFilter(q.Get)
	return vals, f, errs
}

// query is the filter as a query string, without the cursor.
func query(vals form.Values) url.Values {
	q := url.Values{}
	for _, s := range form.AuditFilter {
		if vals[s.Path] != "" {
			q.Set(s.Path, vals[s.Path])
		}
	}
	return q
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func (h handler) show(c echo.Context) error {
	vals, f, errs := filterOf(c.QueryParams())
	q := query(vals)
	v := auditlogview.View{Values: vals, CSVURL: withQuery(PathCSV, q)}
	if len(errs) > 0 { // the filter cannot be read: show it again with its messages, no entries
		if err := h.log.Allowed(page.Actor(c)); err != nil {
			return err
		}
		v.Errors = errs
		return page.Render(c, http.StatusUnprocessableEntity, auditlogview.Page(page.Layout(c, "Audit log", layout.NavAuditLog), v))
	}
	entries, err := h.log.List(c.Request().Context(), page.Actor(c), f, pageSize+1)
	if err != nil {
		return err
	}
	if len(entries) > pageSize {
		entries = entries[:pageSize]
		next := query(vals)
		next.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		v.NextURL = withQuery(layout.PathAuditLog, next)
	}
	if f.Before > 0 {
		v.NewestURL = withQuery(layout.PathAuditLog, q)
	}
	v.Entries = entries
	return page.Render(c, http.StatusOK, auditlogview.Page(page.Layout(c, "Audit log", layout.NavAuditLog), v))
}

// export streams the filtered log as CSV, each row written as it is read.
func (h handler) export(c echo.Context) error {
	_, f, errs := filterOf(c.QueryParams())
	if err := apperr.Invalid(errs); err != nil {
		return err
	}
	return csvexport.Stream(c, csvexport.AuditFile, csvexport.AuditHeader, func(write func([]string) error) error {
		return h.log.Each(c.Request().Context(), page.Actor(c), f, func(e *audit.LogEntry) error {
			return write(csvexport.AuditRow(e))
		})
	})
}

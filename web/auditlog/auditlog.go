// Package auditlog serves the administrators' audit log page and its CSV
// export. The audit log service decides who may read it (admins only).
package auditlog

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/validate"
	"github.com/verity-kyb/verity/views/auditlogview"
	"github.com/verity-kyb/verity/views/layout"
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
	errs := apperr.FieldErrors{}
	f := audit.Filter{Actor: vals["actor"], Kind: vals["kind"], Customer: vals["customer"]}
	day := func(path string) time.Time {
		if vals[path] == "" {
			return time.Time{}
		}
		t, err := time.Parse(validate.DateLayout, vals[path])
		if err != nil {
			errs.Add(path, "must be a date as YYYY-MM-DD")
		}
		return t
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.Until = to.AddDate(0, 0, 1) // the whole "to" day
	}
	if !f.From.IsZero() && !f.Until.IsZero() && !f.Until.After(f.From) {
		errs.Add("to", "must not be before From")
	}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
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

// csvHeader names the export's columns.
var csvHeader = []string{"id", "occurredAt", "actorType", "actorName", "action", "customerReference", "customerName",
	"subject", "reason", "changes", "requestId"}

// export streams the filtered log as CSV, each row written as it is read.
func (h handler) export(c echo.Context) error {
	_, f, errs := filterOf(c.QueryParams())
	if err := apperr.Invalid(errs); err != nil {
		return err
	}
	res := c.Response()
	w := csv.NewWriter(res)
	started := false
	start := func() error {
		started = true
		res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="audit-log.csv"`)
		res.WriteHeader(http.StatusOK)
		return w.Write(csvHeader)
	}
	n := 0
	err := h.log.Each(c.Request().Context(), page.Actor(c), f, func(e *audit.LogEntry) error {
		if !started {
			if err := start(); err != nil {
				return err
			}
		}
		if err := w.Write(row(e)); err != nil {
			return err
		}
		if n++; n%500 == 0 {
			w.Flush()
			res.Flush()
		}
		return w.Error()
	})
	if err != nil {
		// Before the first row the error page says why (a refusal); after
		// it the download is cut short and the error is logged.
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

// row is one entry as CSV cells, each safe to open in a spreadsheet.
func row(e *audit.LogEntry) []string {
	var ref, name string
	if e.CustomerRef != nil {
		ref = e.CustomerRef.String()
	}
	if e.CustomerName != nil {
		name = *e.CustomerName
	}
	cells := []string{strconv.FormatInt(e.ID, 10), e.OccurredAt.UTC().Format(time.RFC3339Nano), string(e.ActorType), e.ActorName,
		e.Action, ref, name, deref(e.Subject), deref(e.Reason), string(e.ChangesRaw), deref(e.RequestID)}
	for i := range cells {
		cells[i] = SafeCell(cells[i])
	}
	return cells
}

// SafeCell keeps a spreadsheet from reading a cell as a formula: a value
// starting with = + - @ (or a tab or carriage return) gets a leading quote.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

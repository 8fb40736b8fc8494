package api

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/web/csvexport"
)

// auditEntryJSON is one entry of GET /audit: the history's entry shape plus
// the customer it concerns (null for staff, key and sign-in entries).
type auditEntryJSON struct {
	audit.Entry
	CustomerReference *uuid.UUID `json:"customerReference"`
	CustomerName      *string    `json:"customerName"`
}

// auditResponse is the shape of GET /audit, paged like the history.
type auditResponse struct {
	Content    []auditEntryJSON `json:"content"`
	HasNext    bool             `json:"hasNext"`
	NextBefore *int64           `json:"nextBefore"`
}

// handleAuditLog lists the whole audit trail, newest first, filtered by
// actor, kind, customer, from and to, by keyset (before = the last id seen).
// Administrators' keys only.
func (h handlers) handleAuditLog(c echo.Context) error {
	f, errs := audit.ParseFilter(c.QueryParam)
	size := intParam(errs, c.QueryParam("size"), "size")
	if size == 0 {
		size = 50
	}
	if size < 1 || size > audit.MaxPage {
		errs.Add("size", "must be between 1 and 200")
	}
	if err := apperr.Invalid(errs); err != nil {
		return err
	}
	entries, err := h.Audit.List(c.Request().Context(), actorOf(c), f, size+1)
	if err != nil {
		return err
	}
	res := auditResponse{Content: make([]auditEntryJSON, 0, len(entries))}
	if len(entries) > size {
		entries, res.HasNext = entries[:size], true
		next := entries[size-1].ID
		res.NextBefore = &next
	}
	for _, e := range entries {
		res.Content = append(res.Content, auditEntryJSON{Entry: e.Entry, CustomerReference: e.CustomerRef, CustomerName: e.CustomerName})
	}
	return c.JSON(http.StatusOK, res)
}

// handleAuditExport streams every entry of the filtered log as CSV (the
// audit log page's export), administrators' keys only.
func (h handlers) handleAuditExport(c echo.Context) error {
	f, errs := audit.ParseFilter(c.QueryParam)
	if err := apperr.Invalid(errs); err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	return csvexport.Stream(c, csvexport.AuditFile, csvexport.AuditHeader, func(write func([]string) error) error {
		return h.Audit.Each(ctx, actor, f, func(e *audit.LogEntry) error { return write(csvexport.AuditRow(e)) })
	})
}

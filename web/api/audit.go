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

// handleAuditLog lists the whole audit trail, newest first, filtered by
// actor, kind, customer, from and to, by keyset (before = the last id seen).
// Administrators' keys only.
func (h handlers) handleAuditLog(c echo.Context) error {
	f, errs := audit.ParseFilter(c.QueryParam)
	size := keysetSize(c, errs, audit.MaxPage)
	if err := apperr.Invalid(errs); err != nil {
		return err
	}
	entries, err := h.Audit.List(c.Request().Context(), actorOf(c), f, size+1)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(entries, size, func(e audit.LogEntry) int64 { return e.ID },
		func(e audit.LogEntry) auditEntryJSON {
			return auditEntryJSON{Entry: e.Entry, CustomerReference: e.CustomerRef, CustomerName: e.CustomerName}
		}))
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

package customerpage

import (
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/views/customerview"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

// documentsView is the Documents section for this actor: every document
// (superseded ones folded under their replacement), the evidence the
// approval rule misses, and the upload form when the service would take a
// file from them. (Uploads, the viewer and reviews are web/documents'.)
func (h handler) documentsView(c echo.Context, cu *customer.Customer) (customerview.DocumentsView, error) {
	ctx, a := c.Request().Context(), page.Actor(c)
	docs, err := h.s.Documents.ListOf(ctx, a, cu)
	if err != nil {
		return customerview.DocumentsView{}, err
	}
	opts := h.s.Documents.Options()
	missing := h.s.Documents.MissingIn(cu, docs) // the rule, applied to what the section shows
	limit := customerview.LimitText(opts.MaxFileSize)
	return customerview.DocumentsView{C: cu, List: docs, Groups: customerview.GroupDocuments(cu, docs), Missing: missing,
		Required: opts.RequireForApproval, CanUpload: h.s.Documents.CanUpload(a),
		Upload: customerview.UploadFormView{C: cu, Values: form.Values{}, Whose: customerview.WhoseChoices(cu), MaxSize: limit,
			CSRF: page.CSRFToken(c)}}, nil
}

// Package documents serves the document pages: the upload (a plain
// multipart form, streamed to the service part by part), the viewer with its
// review forms, and the bytes. Every rule and permission is
// document.Service's; these handlers translate forms and headers.
package documents

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/views/customerview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

type handler struct{ s page.Services }

// Register mounts the document pages on the signed-in group. The upload's
// route is web.UploadRoute, the one page route that takes multipart bodies.
func Register(g *echo.Group, s page.Services) {
	h := handler{s}
	g.GET("/customers/:ref/documents", h.section)
	g.GET("/customers/:ref/documents/new", h.uploadPage)
	g.POST(web.UploadRoute, h.upload)
	g.GET("/customers/:ref/documents/:doc", h.show)
	g.GET("/customers/:ref/documents/:doc/content", h.content)
	g.POST("/customers/:ref/documents/:doc/review", h.review)
}

// section sends a typed-in address to the customer page's section.
func (h handler) section(c echo.Context) error {
	ref, err := page.Ref(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, sectionURL(ref))
}

func sectionURL(ref uuid.UUID) string { return "/customers/" + ref.String() + "#documents" }

// docRef reads the route's :doc; a malformed reference is simply not found.
func docRef(c echo.Context) (uuid.UUID, error) {
	ref, err := uuid.Parse(c.Param("doc"))
	if err != nil {
		return uuid.Nil, apperr.NotFound("document " + c.Param("doc"))
	}
	return ref, nil
}

// maxSize is the per-file limit in words, for the form's hint.
func (h handler) maxSize() string {
	return customerview.LimitText(h.s.Documents.Options().MaxFileSize)
}

// uploadForm is the upload form for this customer with values and errors.
func (h handler) uploadForm(c echo.Context, cu *customer.Customer, vals form.Values, errs map[string][]string) customerview.UploadFormView {
	return customerview.UploadFormView{C: cu, Values: vals, Errors: errs, Whose: customerview.WhoseChoices(cu),
		MaxSize: h.maxSize(), CSRF: page.CSRFToken(c)}
}

// uploadPage is the upload form on its own, for a person (?person=) and a
// type (?type=) when a link says so.
func (h handler) uploadPage(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	if !h.s.Documents.CanUpload(page.Actor(c)) {
		return page.NotOffered(c)
	}
	vals := form.Values{"person": c.QueryParam("person"), "type": c.QueryParam("type")}
	return page.Render(c, http.StatusOK, customerview.UploadPage(page.Layout(c, "Upload a document", layout.NavCustomers),
		h.uploadForm(c, cu, vals, nil)))
}

// content streams the bytes. Only PDF, JPEG and PNG are ever served inline
// (the viewer's <img> and pdf.js); anything else, and ?download=1, is an
// attachment. The bytes carry their own strict policy: no sniffing, and a
// sandbox with nothing allowed, should a browser open them as a page.
func (h handler) content(c echo.Context) error {
	ref, err := page.Ref(c)
	if err != nil {
		return err
	}
	dref, err := docRef(c)
	if err != nil {
		return err
	}
	download := c.QueryParam("download") != ""
	return h.s.Documents.WriteContent(c.Request().Context(), page.Actor(c), ref, dref, func(d *document.Document) {
		hd := c.Response().Header()
		ct, inline := servedType(d.ContentType)
		disposition := "attachment"
		if inline && !download {
			disposition = "inline"
		}
		hd.Set(echo.HeaderContentType, ct)
		hd.Set(echo.HeaderContentDisposition, document.ContentDisposition(disposition, d.DownloadName()))
		hd.Set(echo.HeaderContentLength, strconv.FormatInt(d.Size, 10))
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		hd.Set("Cache-Control", "private, no-store")
		c.Response().WriteHeader(http.StatusOK)
	}, c.Response())
}

// servedType is the Content-Type a stored document is served with and
// whether it may be shown inline.
func servedType(stored string) (string, bool) {
	switch stored {
	case "image/png", "image/jpeg", "application/pdf":
		return stored, true
	}
	return "application/octet-stream", false
}

// drain reads what is left of an upload's body (bounded by its route limit)
// before answering, so the browser still reads the answer to a refused file.
func drain(c echo.Context) {
	_, _ = io.Copy(io.Discard, c.Request().Body)
}

// tooLarge tells a body cut off by its route limit.
func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// trimmed reads a small form part.
func trimmed(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, web.MaxFormBody+1))
	if err != nil {
		return "", err
	}
	if len(b) > web.MaxFormBody {
		return "", apperr.New(apperr.KindTooLarge, "body_too_large", "A form field is larger than 64 KiB; nothing was stored.")
	}
	return strings.TrimSpace(string(b)), nil
}

package documents

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/views/customerview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

// upload streams one file to document.Service.Upload. The form's fields come
// before the file (the CSRF check has read the token, the first part), so
// they are read here and the file part is handed to the service as it
// arrives: nothing holds the file. Success goes back to the customer page's
// Documents section with a flash (303, or HX-Location for the upload
// script); a refused file or field comes back as the form with its messages
// (422): the form alone for the script, the upload page without JavaScript.
func (h handler) upload(c echo.Context) error {
	ref, err := page.Ref(c)
	if err != nil {
		return err
	}
	mr, err := page.Multipart(c)
	if err != nil {
		return err
	}
	vals, file, err := readUntilFile(mr)
	if err != nil {
		drain(c)
		return err
	}
	var res []document.Uploaded
	if file == nil {
		err = apperr.Invalid(apperr.FieldErrors{"file": {"must be chosen: pick a PDF, JPEG or PNG to upload"}})
	} else {
		res, err = h.s.Documents.Upload(c.Request().Context(), page.Actor(c), ref, once(vals, file))
	}
	drain(c)
	if err == nil && len(res) == 1 {
		kind, msg := page.FlashSuccess, "Uploaded "+res[0].Document.Name+"."
		if res[0].Duplicate {
			kind, msg = page.FlashInfo, "This file is already stored as "+res[0].Document.Name+"; nothing new was stored."
		}
		if err := page.AddFlash(c, kind, msg); err != nil {
			return err
		}
		return page.Redirect(c, sectionURL(ref))
	}
	errs := uploadErrors(err)
	if errs == nil {
		return err
	}
	cu, gerr := h.s.Customer(c)
	if gerr != nil {
		return gerr
	}
	v := h.uploadForm(c, cu, vals, errs)
	if page.IsHTMX(c) {
		return page.Render(c, http.StatusUnprocessableEntity, customerview.UploadForm(v))
	}
	return page.Render(c, http.StatusUnprocessableEntity, customerview.UploadPage(page.Layout(c, "Upload a document", layout.NavCustomers), v))
}

// uploadErrors are the messages a refused upload shows in the form: the
// service's field errors by the form's paths, and a refused file (not a
// PDF, JPEG or PNG; too large) under the file input. nil for other errors.
func uploadErrors(err error) map[string][]string {
	if err == nil {
		return map[string][]string{"file": {"was not stored: try again"}}
	}
	if fields := page.FieldErrors(err); fields != nil {
		return form.UploadErrors(fields)
	}
	if tooLarge(err) {
		return map[string][]string{"file": {"is larger than the upload limit"}}
	}
	if e := page.AppError(err); e != nil && (e.Kind == apperr.KindUnsupported || e.Kind == apperr.KindTooLarge) && len(e.Fields) > 0 {
		return form.UploadErrors(e.Fields)
	}
	return nil
}

// readUntilFile reads the form's fields up to the file part, which it
// returns unread (nil when the form has no file, or an empty one: nothing
// was chosen). Parts the form does not declare are skipped.
func readUntilFile(mr *multipart.Reader) (form.Values, *multipart.Part, error) {
	vals := form.Values{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return vals, nil, nil
		}
		if err != nil {
			if tooLarge(err) {
				return vals, nil, apperr.New(apperr.KindTooLarge, "body_too_large", "The upload is larger than its limit; nothing was stored.")
			}
			return vals, nil, apperr.BadRequest("malformed_form", "The upload could not be read; nothing was stored.")
		}
		name := part.FormName()
		if name == "file" {
			if part.FileName() == "" {
				return vals, nil, nil
			}
			return vals, part, nil
		}
		spec, _, ok := form.Document.Spec(name)
		if !ok || spec.Path != name {
			continue
		}
		v, err := trimmed(part)
		if err != nil {
			return vals, nil, err
		}
		vals[name] = v
	}
}

// once yields the one file of the page's form, then io.EOF.
func once(vals form.Values, file *multipart.Part) func() (*document.Upload, error) {
	done := false
	return func() (*document.Upload, error) {
		if done {
			return nil, io.EOF
		}
		done = true
		meta := form.Document.Decode(vals)
		meta.Name = file.FileName()
		return &document.Upload{Meta: meta, Content: file}, nil
	}
}

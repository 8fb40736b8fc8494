package documents

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/views/customerview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/page"
)

// show is the viewer: the document in the page, its facts and its review.
func (h handler) show(c echo.Context) error {
	cu, d, err := h.load(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, h.pageView(c, cu, d))
}

func (h handler) load(c echo.Context) (*customer.Customer, *document.Document, error) {
	cu, err := h.s.Customer(c)
	if err != nil {
		return nil, nil, err
	}
	dref, err := docRef(c)
	if err != nil {
		return nil, nil, err
	}
	d, err := h.s.Documents.Get(c.Request().Context(), page.Actor(c), cu.Reference, dref)
	if err != nil {
		return nil, nil, err
	}
	return cu, d, nil
}

// pageView says whose the document is (an associate by their current name,
// a removed one by the name kept with the document) and what this actor may
// do with it.
func (h handler) pageView(c echo.Context, cu *customer.Customer, d *document.Document) customerview.DocumentPageView {
	a := page.Actor(c)
	v := customerview.DocumentPageView{C: cu, D: d, Whose: "The company", CSRF: page.CSRFToken(c)}
	if d.PersonRef != nil {
		v.Whose, v.Removed = d.PersonName, true
		for i := range cu.Company.Associates {
			if as := &cu.Company.Associates[i]; as.Person.Reference == *d.PersonRef {
				v.Whose, v.Removed = as.FullName(), false
			}
		}
		if v.Whose == "" {
			v.Whose = "An associate"
		}
	}
	v.CanReview = h.s.Documents.CanReview(a, d)
	// Everything else that CanReview asks holds (a role that may review, a
	// current document waiting for review): what is left is four-eyes.
	v.OwnUpload = !v.CanReview && h.s.Documents.CanUpload(a) && d.Current() && d.State == document.StatePending
	return v
}

func (h handler) render(c echo.Context, status int, v customerview.DocumentPageView) error {
	title := customerview.DocumentTitle(v.D) + " · " + v.C.Company.Name
	return page.Render(c, status, customerview.DocumentPage(page.Layout(c, title, layout.NavCustomers), v))
}

// review records Accept or Reject (with its reason) through the service,
// then shows the document again (303 with a flash). A missing reason comes
// back as the form with its message (422); a refusal (four-eyes, already
// decided) as the page saying why (409).
func (h handler) review(c echo.Context) error {
	ref, err := page.Ref(c)
	if err != nil {
		return err
	}
	dref, err := docRef(c)
	if err != nil {
		return err
	}
	posted, err := c.FormParams()
	if err != nil {
		return apperr.BadRequest("malformed_form", "the form could not be read")
	}
	reason := strings.TrimSpace(posted.Get("reason"))
	in := document.ReviewInput{Decision: document.State(posted.Get("decision")), Reason: reason}
	d, err := h.s.Documents.Review(c.Request().Context(), page.Actor(c), ref, dref, in)
	if err == nil {
		msg := "Document accepted."
		if d.State == document.StateRejected {
			msg = "Document rejected."
		}
		if err := page.AddFlash(c, page.FlashSuccess, msg); err != nil {
			return err
		}
		return page.Redirect(c, "/customers/"+ref.String()+"/documents/"+dref.String())
	}
	fields, e := page.FieldErrors(err), page.AppError(err)
	if fields == nil && (e == nil || e.Kind != apperr.KindConflict) {
		return err
	}
	cu, cur, lerr := h.load(c)
	if lerr != nil {
		return lerr
	}
	v := h.pageView(c, cu, cur)
	v.Reason = reason
	if fields != nil {
		v.Errors = fields
		return h.render(c, http.StatusUnprocessableEntity, v)
	}
	v.Problem = e.Message
	return h.render(c, http.StatusConflict, v)
}

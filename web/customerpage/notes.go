package customerpage

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/views/customerview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

// previewNotes is how many notes the customer page's card shows; the
// history shows them all, among the changes.
const previewNotes = 5

// notesView is the notes card for this actor: the newest notes and the form
// when the service would take a note from them.
func (h handler) notesView(c echo.Context, cu *customer.Customer, notes []customer.Note) customerview.NotesView {
	return customerview.NotesView{C: cu, Notes: notes, CanAdd: h.s.Customers.CanAddNote(page.Actor(c)), CSRF: page.CSRFToken(c)}
}

// noteAdd hands the posted text to the service's AddNote. Success reloads
// the page (its history changed too): 303 without JavaScript, HX-Location
// with htmx. A refused text comes back with its message and the text kept:
// the card alone for htmx, the whole page without.
func (h handler) noteAdd(c echo.Context) error {
	ref, err := page.Ref(c)
	if err != nil {
		return err
	}
	posted, err := c.FormParams()
	if err != nil {
		return apperr.BadRequest("malformed_form", "the form could not be read")
	}
	text := posted.Get(form.Note.Path)
	_, err = h.s.Customers.AddNote(c.Request().Context(), page.Actor(c), ref, customer.NoteInput{Text: &text})
	if err == nil {
		if err := page.AddFlash(c, page.FlashSuccess, "Note added."); err != nil {
			return err
		}
		return page.Redirect(c, "/customers/"+ref.String()+"#notes")
	}
	fields := page.FieldErrors(err)
	if fields == nil {
		return err
	}
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	pv, err := h.view(c, cu)
	if err != nil {
		return err
	}
	pv.Notes.Text, pv.Notes.Errors = text, fields
	if page.IsHTMX(c) {
		return page.Render(c, http.StatusUnprocessableEntity, customerview.NotesCard(pv.Notes))
	}
	return page.Render(c, http.StatusUnprocessableEntity, customerview.Page(page.Layout(c, cu.Company.Name, layout.NavCustomers), pv))
}

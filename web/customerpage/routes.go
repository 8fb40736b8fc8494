// Package customerpage serves the customer page: its header and status actions,
// company details edited in place, and the history. Every rule and
// permission is the customer service's; these handlers translate forms.
package customerpage

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/views/customerview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

type handler struct{ s page.Services }

// Register mounts this area's pages on the signed-in group.
func Register(g *echo.Group, s page.Services) {
	h := handler{s}
	g.GET("/customers/:ref", h.show)
	g.GET("/customers/:ref/details", h.detailsCard)
	g.GET("/customers/:ref/details/edit", h.detailsEdit)
	g.POST("/customers/:ref/details", h.detailsSave)
	g.GET("/customers/:ref/status", h.statusPage)
	g.POST("/customers/:ref/status", h.statusSave)
	g.GET("/customers/:ref/history", h.history)
	g.POST("/customers/:ref/notes", h.noteAdd)
	g.POST("/customers/:ref/assignee", h.assign)
	g.GET("/customers/:ref/review", h.reviewPage)
	g.POST("/customers/:ref/review", h.reviewConfirm)
}

const previewEntries = 5

func (h handler) view(c echo.Context, cu *customer.Customer) (customerview.View, error) {
	hist, recent, err := h.s.Customers.Recent(c.Request().Context(), page.Actor(c), cu, previewEntries, previewNotes)
	if err != nil {
		return customerview.View{}, err
	}
	notes := h.notesView(c, cu, recent)
	cv, err := h.caseView(c, cu)
	if err != nil {
		return customerview.View{}, err
	}
	docs, err := h.documentsView(c, cu)
	if err != nil {
		return customerview.View{}, err
	}
	return customerview.View{C: cu, Actions: h.s.Customers.ActionsFor(page.Actor(c), cu), Case: cv,
		Review: h.reviewView(c, cu), History: hist, Notes: notes, Documents: docs, CSRF: page.CSRFToken(c)}, nil
}

func (h handler) show(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	v, err := h.view(c, cu)
	if err != nil {
		return err
	}
	return page.Render(c, http.StatusOK, customerview.Page(page.Layout(c, cu.Company.Name, layout.NavCustomers), v))
}

func (h handler) detailsCard(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	if !page.IsHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/customers/"+cu.Reference.String())
	}
	return page.Render(c, http.StatusOK, customerview.DetailsCard(cu, h.s.Customers.ActionsFor(page.Actor(c), cu).CanEdit))
}

func (h handler) detailsEdit(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	if !h.s.Customers.ActionsFor(page.Actor(c), cu).CanEdit {
		return page.NotOffered(c)
	}
	v := customerview.DetailsFormView{C: cu, Version: strconv.Itoa(cu.Version), Values: form.Details.Encode(cu), CSRF: page.CSRFToken(c)}
	return h.renderDetailsForm(c, http.StatusOK, cu, v)
}

// renderDetailsForm answers htmx with the form alone and a plain browser
// with the whole customer page around it.
func (h handler) renderDetailsForm(c echo.Context, status int, cu *customer.Customer, v customerview.DetailsFormView) error {
	if page.IsHTMX(c) {
		return page.Render(c, status, customerview.DetailsForm(v))
	}
	pv, err := h.view(c, cu)
	if err != nil {
		return err
	}
	pv.EditDetails = &v
	return page.Render(c, status, customerview.Page(page.Layout(c, "Edit "+cu.Company.Name, layout.NavCustomers), pv))
}

// detailsSave hands the form to the service's Update, which loads the
// customer itself; only a form that must be shown again reads it here.
func (h handler) detailsSave(c echo.Context) error {
	ref, err := page.Ref(c)
	if err != nil {
		return err
	}
	posted, err := c.FormParams()
	if err != nil {
		return apperr.BadRequest("malformed_form", "the form could not be read")
	}
	vals := form.Details.Read(posted, "")
	saved, err := h.s.Customers.Update(c.Request().Context(), page.Actor(c), ref, form.Details.Decode(vals), page.Version(c))
	if err == nil {
		// The rest of the page changed too (version, history, approval blockers):
		// htmx reloads it whole (HX-Location), a plain form follows the 303.
		if err := page.AddFlash(c, page.FlashSuccess, "Company details saved."); err != nil {
			return err
		}
		return page.Redirect(c, "/customers/"+saved.Reference.String())
	}
	fields, e := page.FieldErrors(err), page.AppError(err)
	stale := e != nil && e.Kind == apperr.KindStale
	if fields == nil && !stale {
		return err
	}
	cu, gerr := h.s.Customer(c)
	if gerr != nil {
		return gerr
	}
	v := customerview.DetailsFormView{C: cu, Version: c.FormValue("version"), Values: vals, Errors: fields, CSRF: page.CSRFToken(c)}
	if stale {
		v.Stale = staleOf(e)
		return h.renderDetailsForm(c, http.StatusConflict, cu, v)
	}
	return h.renderDetailsForm(c, http.StatusUnprocessableEntity, cu, v)
}

// staleOf reads who made the newer change, when, and what it touched from
// the service's typed refusal (err or its *apperr.Error); nil when err is
// not one.
func staleOf(err error) *customerview.Stale {
	var se *customer.StaleError
	if !errors.As(err, &se) {
		return nil
	}
	return &customerview.Stale{Message: se.Message(), By: se.By, At: se.At, Fields: se.Fields}
}

func parseStatus(s string) (customer.Status, bool) { return customer.ParseStatus(strings.ToUpper(s)) }

func (h handler) statusPage(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	to, ok := parseStatus(c.QueryParam("to"))
	if !ok {
		return apperr.NotFound("status move " + c.QueryParam("to"))
	}
	// Only the moves the customer page offers this actor get a form.
	acts := h.s.Customers.ActionsFor(page.Actor(c), cu)
	offered := map[customer.Status]bool{customer.StatusVerified: acts.CanApprove, customer.StatusRejected: acts.CanReject,
		customer.StatusPending: acts.CanReopen}[to]
	if !offered {
		return apperr.Forbidden("%s is not one of your actions on this %s customer", customerview.MoveName(to), strings.ToLower(string(cu.Status)))
	}
	v := customerview.StatusFormView{C: cu, To: to, CSRF: page.CSRFToken(c)}
	if to == customer.StatusVerified && len(acts.ApproveBlockers) > 0 {
		v.Problem, v.Blockers = "Approval is not possible yet:", acts.ApproveBlockers
	}
	return page.Render(c, http.StatusOK, customerview.StatusPage(page.Layout(c, customerview.MoveName(to)+" "+cu.Company.Name, layout.NavCustomers), v))
}

func (h handler) statusSave(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	to, ok := parseStatus(c.FormValue("status"))
	if !ok {
		return apperr.Invalid(apperr.FieldErrors{"status": {"must be PENDING, VERIFIED or REJECTED"}})
	}
	version, verr := strconv.Atoi(c.FormValue("version"))
	if verr != nil {
		version = -1
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	var rp *string
	if reason != "" {
		rp = &reason
	}
	saved, err := h.s.Customers.SetStatus(c.Request().Context(), page.Actor(c), cu.Reference,
		customer.StatusChange{Status: string(to), Reason: rp}, customer.Versions{version}, true)
	v := customerview.StatusFormView{C: cu, To: to, Reason: reason, CSRF: page.CSRFToken(c), InDialog: page.IsHTMX(c)}
	if fields := page.FieldErrors(err); fields != nil {
		v.Errors = fields
		return h.renderStatusForm(c, http.StatusUnprocessableEntity, v)
	}
	var refused *customer.ApprovalError
	if errors.As(err, &refused) {
		v.Problem, v.Blockers = "The customer cannot be approved:", refused.Problems
		return h.renderStatusForm(c, http.StatusConflict, v)
	}
	if st := staleOf(err); st != nil {
		v.Problem = st.Message + " Reload the page to see the change, then decide again."
		return h.renderStatusForm(c, http.StatusConflict, v)
	}
	if e := page.AppError(err); e != nil && e.Kind == apperr.KindConflict {
		v.Problem = e.Message
		return h.renderStatusForm(c, http.StatusConflict, v)
	}
	if err != nil {
		return err
	}
	msg := map[customer.Status]string{customer.StatusVerified: "Customer approved.", customer.StatusRejected: "Customer rejected.",
		customer.StatusPending: "Customer reopened for review."}[to]
	if err := page.AddFlash(c, page.FlashSuccess, msg); err != nil {
		return err
	}
	return page.Redirect(c, "/customers/"+saved.Reference.String())
}

func (h handler) renderStatusForm(c echo.Context, status int, v customerview.StatusFormView) error {
	if page.IsHTMX(c) {
		return page.Render(c, status, customerview.StatusForm(v))
	}
	return page.Render(c, status, customerview.StatusPage(page.Layout(c, customerview.MoveName(v.To)+" "+v.C.Company.Name, layout.NavCustomers), v))
}

const historyPage = 50

func (h handler) history(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	if before < 0 {
		before = 0
	}
	entries, err := h.s.Customers.History(c.Request().Context(), page.Actor(c), cu.Reference, before, historyPage+1)
	if err != nil {
		return err
	}
	docs, err := h.s.Documents.List(c.Request().Context(), page.Actor(c), cu.Reference)
	if err != nil {
		return err
	}
	v := customerview.HistoryView{C: cu, Newest: before == 0, Docs: customerview.IndexDocuments(docs)}
	if len(entries) > historyPage {
		entries = entries[:historyPage]
		v.NextURL = "/customers/" + cu.Reference.String() + "/history?before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	v.Entries = entries
	return page.Render(c, http.StatusOK, customerview.History(page.Layout(c, "History of "+cu.Company.Name, layout.NavCustomers), v))
}

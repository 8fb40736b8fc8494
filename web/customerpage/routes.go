// Package customer serves the customer page: its header and status actions,
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
}

const previewEntries = 5

func (h handler) view(c echo.Context, cu *customer.Customer) (customerview.View, error) {
	hist, err := h.s.Customers.History(c.Request().Context(), page.Actor(c), cu.Reference, 0, previewEntries)
	if err != nil {
		return customerview.View{}, err
	}
	return customerview.View{C: cu, Actions: h.s.Customers.ActionsFor(page.Actor(c), cu), History: hist, CSRF: page.CSRFToken(c)}, nil
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

// detailsFields are the form's inputs, named by their JSON paths so the
// service's field errors land under them as they are.
var detailsFields = []string{
	"company.name", "company.registrationNumber", "company.taxResidenceCountryCode", "riskScore",
	"company.description", "company.address.addressLine1", "company.address.addressLine2",
	"company.address.city", "company.address.postalCode", "company.address.countryCode",
}

func valuesOf(cu *customer.Customer) map[string]string {
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	a := cu.Company.Address
	return map[string]string{
		"version": strconv.Itoa(cu.Version), "company.name": cu.Company.Name,
		"company.registrationNumber": cu.Company.RegistrationNumber, "company.taxResidenceCountryCode": cu.Company.TaxResidenceCountryCode,
		"riskScore": string(cu.RiskScore), "company.description": deref(cu.Company.Description),
		"company.address.addressLine1": a.AddressLine1, "company.address.addressLine2": deref(a.AddressLine2),
		"company.address.city": a.City, "company.address.postalCode": a.PostalCode, "company.address.countryCode": a.CountryCode,
	}
}

func (h handler) detailsEdit(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	if !h.s.Customers.ActionsFor(page.Actor(c), cu).CanEdit {
		return apperr.Forbidden("your role (%s) may not edit customers", page.Actor(c).Role)
	}
	form := customerview.DetailsFormView{C: cu, Values: valuesOf(cu), CSRF: page.CSRFToken(c)}
	return h.renderDetailsForm(c, http.StatusOK, cu, form)
}

// renderDetailsForm answers htmx with the form alone and a plain browser
// with the whole customer page around it.
func (h handler) renderDetailsForm(c echo.Context, status int, cu *customer.Customer, form customerview.DetailsFormView) error {
	if page.IsHTMX(c) {
		return page.Render(c, status, customerview.DetailsForm(form))
	}
	v, err := h.view(c, cu)
	if err != nil {
		return err
	}
	v.EditDetails = &form
	return page.Render(c, status, customerview.Page(page.Layout(c, "Edit "+cu.Company.Name, layout.NavCustomers), v))
}

func (h handler) detailsSave(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	vals := map[string]string{"version": c.FormValue("version")}
	for _, name := range detailsFields {
		vals[name] = strings.TrimSpace(c.FormValue(name))
	}
	version, verr := strconv.Atoi(vals["version"])
	if verr != nil {
		version = -1 // a form without its version is treated as stale
	}
	set := func(name string) customer.Optional[string] { return customer.Some(vals[name]) }
	opt := func(name string) customer.Optional[string] {
		if vals[name] == "" {
			return customer.Optional[string]{Set: true, Null: true}
		}
		return customer.Some(vals[name])
	}
	up := customer.DetailsUpdate{
		Name: set("company.name"), Description: opt("company.description"),
		TaxResidenceCountryCode: set("company.taxResidenceCountryCode"), RegistrationNumber: set("company.registrationNumber"),
		RiskScore: set("riskScore"),
		Address: customer.Some(customer.AddressUpdate{
			AddressLine1: set("company.address.addressLine1"), AddressLine2: opt("company.address.addressLine2"),
			City: set("company.address.city"), PostalCode: set("company.address.postalCode"),
			CountryCode: set("company.address.countryCode"),
		}),
	}
	saved, err := h.s.Customers.Update(c.Request().Context(), page.Actor(c), cu.Reference, up, customer.Versions{version})
	form := customerview.DetailsFormView{C: cu, Values: vals, CSRF: page.CSRFToken(c)}
	if fields := page.FieldErrors(err); fields != nil {
		form.Errors = fields
		return h.renderDetailsForm(c, http.StatusUnprocessableEntity, cu, form)
	}
	if e := page.AppError(err); e != nil && e.Kind == apperr.KindStale {
		form.Stale = staleOf(e)
		return h.renderDetailsForm(c, http.StatusConflict, cu, form)
	}
	if err != nil {
		return err
	}
	// The rest of the page changed too (version, history, approval blockers):
	// htmx reloads it whole (HX-Location), a plain form follows the 303.
	if err := page.AddFlash(c, page.FlashSuccess, "Company details saved."); err != nil {
		return err
	}
	return page.Redirect(c, "/customers/"+saved.Reference.String())
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
		return apperr.Forbidden("%s is not one of your actions on this %s customer", submitTitle(to), strings.ToLower(string(cu.Status)))
	}
	v := customerview.StatusFormView{C: cu, To: to, CSRF: page.CSRFToken(c)}
	if to == customer.StatusVerified && len(acts.ApproveBlockers) > 0 {
		v.Problem, v.Blockers = "Approval is not possible yet:", acts.ApproveBlockers
	}
	return page.Render(c, http.StatusOK, customerview.StatusPage(page.Layout(c, submitTitle(to)+" "+cu.Company.Name, layout.NavCustomers), v))
}

func submitTitle(to customer.Status) string {
	switch to {
	case customer.StatusVerified:
		return "Approve"
	case customer.StatusRejected:
		return "Reject"
	}
	return "Reopen"
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
	return page.Render(c, status, customerview.StatusPage(page.Layout(c, submitTitle(v.To)+" "+v.C.Company.Name, layout.NavCustomers), v))
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
	v := customerview.HistoryView{C: cu, Newest: before == 0}
	if len(entries) > historyPage {
		entries = entries[:historyPage]
		v.NextURL = "/customers/" + cu.Reference.String() + "/history?before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	v.Entries = entries
	return page.Render(c, http.StatusOK, customerview.History(page.Layout(c, "History of "+cu.Company.Name, layout.NavCustomers), v))
}

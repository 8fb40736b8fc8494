package customerpage

import (
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

// reviewView is what the "Review required" banner offers this person.
func (h handler) reviewView(c echo.Context, cu *customer.Customer) customerview.ReviewView {
	a := page.Actor(c)
	return customerview.ReviewView{CanConfirm: h.s.Customers.CanConfirmReview(a, cu), FourEyes: h.s.Customers.ReviewFourEyes(a, cu)}
}

// reviewPage is "Confirm verification" as a page (no JavaScript).
func (h handler) reviewPage(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	if !h.s.Customers.CanConfirmReview(page.Actor(c), cu) {
		return apperr.Forbidden("confirming a verification is not one of your actions on this customer")
	}
	v := customerview.ReviewFormView{C: cu, CSRF: page.CSRFToken(c)}
	if h.s.Customers.ReviewFourEyes(page.Actor(c), cu) {
		v.Problem = "Four-eyes rule: you made the latest material change to this customer, so someone else must confirm its verification."
	}
	return page.Render(c, http.StatusOK, customerview.ReviewPage(page.Layout(c, "Confirm verification "+cu.Company.Name, layout.NavCustomers), v))
}

// reviewConfirm posts "Confirm verification" to the service and goes back to
// the customer page; a refusal shows the form again with why.
func (h handler) reviewConfirm(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	version, verr := strconv.Atoi(c.FormValue("version"))
	if verr != nil {
		version = -1
	}
	reason := strings.TrimSpace(c.FormValue(form.Reason.Path))
	saved, err := h.s.Customers.ConfirmReview(c.Request().Context(), page.Actor(c), cu.Reference, reason, customer.Versions{version}, true)
	v := customerview.ReviewFormView{C: cu, Reason: reason, CSRF: page.CSRFToken(c), InDialog: page.IsHTMX(c)}
	if fields := page.FieldErrors(err); fields != nil {
		v.Errors = fields
		return h.renderReviewForm(c, http.StatusUnprocessableEntity, v)
	}
	if st := staleOf(err); st != nil {
		v.Problem = st.Message + " Reload the page to see the change, then decide again."
		return h.renderReviewForm(c, http.StatusConflict, v)
	}
	if e := page.AppError(err); e != nil && e.Kind == apperr.KindConflict {
		v.Problem = e.Message
		return h.renderReviewForm(c, http.StatusConflict, v)
	}
	if err != nil {
		return err
	}
	if err := page.AddFlash(c, page.FlashSuccess, "Verification confirmed: the changes since approval are marked as seen."); err != nil {
		return err
	}
	return page.Redirect(c, "/customers/"+saved.Reference.String())
}

func (h handler) renderReviewForm(c echo.Context, status int, v customerview.ReviewFormView) error {
	if page.IsHTMX(c) {
		return page.Render(c, status, customerview.ReviewForm(v))
	}
	return page.Render(c, status, customerview.ReviewPage(page.Layout(c, "Confirm verification "+v.C.Company.Name, layout.NavCustomers), v))
}

package customerpage

import (
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/views/customerview"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

// caseView is the header's case work: the service says which assignment
// buttons this person gets; admins also get the people to assign to.
func (h handler) caseView(c echo.Context, cu *customer.Customer) (customerview.CaseView, error) {
	a := page.Actor(c)
	v := customerview.CaseView{Assign: h.s.Customers.AssignActionsFor(a, cu), SLA: h.s.Customers.ReviewSLA(), Now: h.s.Customers.Now()}
	if v.Assign.CanAssignTo {
		var err error
		if v.Assignees, err = h.s.Customers.Assignees(c.Request().Context(), a); err != nil {
			return v, err
		}
	}
	return v, nil
}

// assign takes the posted assignee ("me", "" or a staff id) to the service
// and goes back to the customer page, saying what happened.
func (h handler) assign(c echo.Context) error {
	ref, err := page.Ref(c)
	if err != nil {
		return err
	}
	posted, err := c.FormParams()
	if err != nil {
		return apperr.BadRequest("malformed_form", "the form could not be read")
	}
	who := posted.Get(form.Assignee.Path)
	cu, err := h.s.Customers.Assign(c.Request().Context(), page.Actor(c), ref, who, nil)
	if fields := page.FieldErrors(err); fields != nil {
		if err := page.AddFlash(c, page.FlashError, form.Assignee.Label+": "+fields[form.Assignee.Path][0]); err != nil {
			return err
		}
		return page.Redirect(c, "/customers/"+ref.String())
	}
	if err != nil {
		return err
	}
	msg := "Unassigned: nobody owns this case now."
	if cu.Assignee != nil {
		msg = "Assigned to " + cu.Assignee.Name + "."
		if cu.Assignee.ID == customer.PersonID(page.Actor(c)) {
			msg = "This case is now yours."
		}
	}
	if err := page.AddFlash(c, page.FlashSuccess, msg); err != nil {
		return err
	}
	return page.Redirect(c, "/customers/"+cu.Reference.String())
}

package customerlist

import (
	"errors"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/views/customerlistview"
	"github.com/verity-kyb/verity/web/page"
)

// readQueue reads the case-work part of the list address: assignee (me,
// none or a staff id) and overdue.
func readQueue(c echo.Context, q *customerlistview.Query, problems []string) []string {
	switch a := c.QueryParam("assignee"); a {
	case "", customer.AssignMe, customer.AssigneeNone:
		q.Assignee = a
	default:
		if id, err := strconv.ParseInt(a, 10, 64); err == nil && id > 0 {
			q.Assignee = a
		} else {
			problems = append(problems, "Unknown assignee “"+a+"”: showing everyone's cases.")
		}
	}
	switch o := c.QueryParam("overdue"); o {
	case "", "0", "false":
	case "1", "true":
		q.Overdue = true
	default:
		problems = append(problems, "Unknown overdue “"+o+"”: showing every case.")
	}
	switch r := c.QueryParam("review"); r {
	case "", "0", "false":
	case "1", "true":
		q.Review = true
	default:
		problems = append(problems, "Unknown review “"+r+"”: showing every case.")
	}
	return problems
}

// nextCase takes the oldest unassigned pending case for the signed-in
// person and opens it; when none is left it says so on the list.
func (h handler) nextCase(c echo.Context) error {
	cu, err := h.s.Customers.NextCase(c.Request().Context(), page.Actor(c))
	if errors.Is(err, customer.ErrNoCase) {
		if err := page.AddFlash(c, page.FlashInfo, "No unassigned pending cases: every pending customer has an owner."); err != nil {
			return err
		}
		return page.Redirect(c, "/customers?status=PENDING")
	}
	if err != nil {
		return err
	}
	if err := page.AddFlash(c, page.FlashSuccess, "“"+cu.Company.Name+"” is now yours."); err != nil {
		return err
	}
	return page.Redirect(c, "/customers/"+cu.Reference.String())
}

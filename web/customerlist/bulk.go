package customerlist

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/views/customerlistview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

// PathBulk takes the list's bulk form; its query is the list view's, which
// "all matching" applies.
const PathBulk = "/customers/bulk"

// The bulk form's buttons (the posted "action").
const (
	actionAssign = customer.BulkAssign
	actionReject = customer.BulkReject
	actionExport = "export"
)

// bulk runs the pressed bulk button on the ticked rows or on every customer
// of the view, then shows what happened to each one. A form it cannot act
// on (nothing ticked, no reason) goes back to the list with the reason.
func (h handler) bulk(c echo.Context) error {
	posted, err := c.FormParams()
	if err != nil {
		return apperr.BadRequest("malformed_form", "the form could not be read")
	}
	q, _ := readQuery(c)
	q.Page = 1
	back := q.URL()
	action := posted.Get("action")
	if action == actionExport && posted.Get(form.BulkScope.Path) == "all" {
		return h.writeCSV(c, filterOf(q), nil) // the whole view, as the Export CSV link
	}
	items, problem, err := h.selection(c, posted, q)
	if err != nil {
		return err
	}
	if problem == "" && len(items) == 0 {
		problem = "Tick at least one customer, or choose “All matching this view”."
	}
	if problem == "" && action == actionExport {
		refs := make([]uuid.UUID, len(items))
		for i, it := range items {
			refs[i] = it.Reference
		}
		return h.writeCSV(c, filterOf(q), refs)
	}
	if problem != "" {
		return h.backWith(c, back, problem)
	}
	act := customer.BulkAction{Kind: action, Reason: strings.TrimSpace(posted.Get(form.BulkReason.Path))}
	if action == actionAssign {
		act.Assignee = posted.Get(form.BulkAssignee.Path)
		switch act.Assignee {
		case form.AssignNobody:
			act.Assignee = ""
		case "":
			return h.backWith(c, back, "Choose whom to assign the customers to.")
		}
	}
	results, err := h.s.Customers.Bulk(c.Request().Context(), page.Actor(c), items, act)
	if fields := page.FieldErrors(err); fields != nil {
		var msgs []string
		for _, path := range []string{"selected", "action", "reason"} {
			for _, m := range fields[path] {
				msgs = append(msgs, bulkLabel(path)+" "+m+".")
			}
		}
		return h.backWith(c, back, strings.Join(msgs, " "))
	}
	if err != nil {
		return err
	}
	return page.Render(c, http.StatusOK, customerlistview.BulkResults(page.Layout(c, "Bulk action", layout.NavCustomers),
		customerlistview.BulkView{Action: action, Results: results, Back: back}))
}

func bulkLabel(path string) string {
	switch path {
	case "selected":
		return "Selection:"
	case "reason":
		return "Reason"
	}
	return "Action:"
}

// selection is the customers the form names: the ticked rows, with scope
// "page" every row of the page, with "all" every customer of the view, up
// to customer.MaxBulk.
func (h handler) selection(c echo.Context, posted url.Values, q customerlistview.Query) ([]customer.BulkItem, string, error) {
	if posted.Get(form.BulkScope.Path) == "all" {
		refs, err := h.s.Customers.MatchingRefs(c.Request().Context(), page.Actor(c), filterOf(q), customer.MaxBulk)
		if err != nil {
			return nil, "", err
		}
		if len(refs) > customer.MaxBulk {
			return nil, "More than " + strconv.Itoa(customer.MaxBulk) + " customers match this view: narrow it down first (at most " +
				strconv.Itoa(customer.MaxBulk) + " at once).", nil
		}
		items := make([]customer.BulkItem, len(refs))
		for i, r := range refs {
			items[i] = customer.BulkItem{Reference: r}
		}
		return items, "", nil
	}
	ticked := posted[form.BulkSelected.Path]
	if posted.Get(form.BulkScope.Path) == "page" {
		ticked = posted[form.BulkOnPage.Path]
	}
	var items []customer.BulkItem
	for _, v := range ticked {
		ref, version, _ := strings.Cut(v, ".")
		id, err := uuid.Parse(ref)
		if err != nil {
			return nil, "The selection could not be read; reload the list and tick the rows again.", nil
		}
		n, _ := strconv.Atoi(version)
		items = append(items, customer.BulkItem{Reference: id, Version: n})
	}
	if len(items) > customer.MaxBulk {
		return nil, "At most " + strconv.Itoa(customer.MaxBulk) + " customers at once.", nil
	}
	return items, "", nil
}

// backWith returns to the list view with a message saying why nothing was done.
func (h handler) backWith(c echo.Context, back, problem string) error {
	if err := page.AddFlash(c, page.FlashError, problem); err != nil {
		return err
	}
	return page.Redirect(c, back)
}

// Package customerlist serves the customers list (queues, search as you type,
// filters, sort, pagination) and the new-customer form.
package customerlist

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/views/customerlistview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

type handler struct{ s page.Services }

// Register mounts this area's pages on the signed-in group.
func Register(g *echo.Group, s page.Services) {
	h := handler{s}
	g.GET("/customers", h.list)
	g.GET("/customers/new", h.newForm)
	g.POST("/customers/new", h.create)
	g.POST("/cases/next", h.nextCase)
	g.GET(PathCSV, h.export)
	g.POST(PathBulk, h.bulk)
}

// list reads the URL into a Filter; a bad parameter is said on the page and
// replaced by its default, never a 500.
func (h handler) list(c echo.Context) error {
	q, problem := readQuery(c)
	f := filterOf(q)
	f.Summary = true // the rows show how many associates, not who
	res, err := h.s.Customers.List(c.Request().Context(), page.Actor(c), f)
	if err != nil {
		return err
	}
	v := customerlistview.ListView{Query: q, Page: res, Problem: problem,
		CanCreate: h.canCreate(c), CanTake: h.s.Customers.CanTakeCases(page.Actor(c)), CSRF: page.CSRFToken(c),
		Bulk: h.s.Customers.BulkActionsFor(page.Actor(c))}
	if v.Assignees, err = h.s.Customers.Assignees(c.Request().Context(), page.Actor(c)); err != nil {
		return err
	}
	if page.IsHTMX(c) {
		return page.Render(c, http.StatusOK, customerlistview.Results(v))
	}
	return page.Render(c, http.StatusOK, customerlistview.List(page.Layout(c, "Customers", layout.NavCustomers), v))
}

// filterOf is the service's filter for the list's address (page 20 rows).
func filterOf(q customerlistview.Query) customer.Filter {
	f := customer.Filter{Query: q.Q, Sort: q.Sort, Page: q.Page - 1, Size: 20, Assignee: q.Assignee, Overdue: q.Overdue, Review: q.Review}
	if q.Status != "" {
		f.Statuses = []customer.Status{customer.Status(q.Status)}
	}
	if q.Risk != "" {
		f.Risks = []customer.RiskScore{customer.RiskScore(q.Risk)}
	}
	return f
}

// maxSearchBytes is the longest search the service accepts (customer.Filter.Normalize).
const maxSearchBytes = 200

// cleanSearch makes any typed or pasted search safe to send to the database:
// invalid UTF-8 is dropped and control characters (NUL included, which
// PostgreSQL refuses) become spaces.
func cleanSearch(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func readQuery(c echo.Context) (customerlistview.Query, string) {
	q := customerlistview.Query{Q: cleanSearch(c.QueryParam("q")), Page: 1}
	var problems []string
	// The service takes at most 200 bytes of search; cut longer text (the
	// box allows 200 characters, which may be more bytes) at a character
	// boundary instead of refusing the whole list.
	if len(q.Q) > maxSearchBytes {
		q.Q = strings.TrimSpace(strings.ToValidUTF8(q.Q[:maxSearchBytes], ""))
		problems = append(problems, "The search was too long and was cut to “"+q.Q+"”.")
	}
	if s := c.QueryParam("status"); s != "" {
		if st, ok := customer.ParseStatus(strings.ToUpper(s)); ok {
			q.Status = string(st)
		} else {
			problems = append(problems, "Unknown status “"+s+"”: showing all customers.")
		}
	}
	if r := c.QueryParam("risk"); r != "" {
		switch strings.ToUpper(r) {
		case "LOW", "MEDIUM", "HIGH":
			q.Risk = strings.ToUpper(r)
		default:
			problems = append(problems, "Unknown risk “"+r+"”: showing every risk level.")
		}
	}
	problems = readQueue(c, &q, problems)
	switch s := c.QueryParam("sort"); s {
	case "":
		q.Sort = q.DefaultSort()
	case customer.SortUpdated, customer.SortName, customer.SortOldest:
		q.Sort = s
	default:
		q.Sort = q.DefaultSort()
		problems = append(problems, "Unknown sort “"+s+"”: sorted the usual way.")
	}
	if p := c.QueryParam("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 50_000 {
			problems = append(problems, "Page “"+p+"” does not exist: showing the first page.")
		} else {
			q.Page = n
		}
	}
	return q, strings.Join(problems, " ")
}

// newForm offers the form to those the service lets create customers (the
// same permission as editing one); anyone else gets the one 403.
func (h handler) newForm(c echo.Context) error {
	if !h.canCreate(c) {
		return page.NotOffered(c)
	}
	return page.Render(c, http.StatusOK, customerlistview.New(page.Layout(c, "New customer", layout.NavCustomers),
		customerlistview.NewForm{Values: form.NewDefaults()}))
}

// canCreate asks the service whether it offers this actor a new customer.
func (h handler) canCreate(c echo.Context) bool { return h.s.Customers.CanCreate(page.Actor(c)) }

func (h handler) create(c echo.Context) error {
	posted, err := c.FormParams()
	if err != nil {
		return apperr.BadRequest("malformed_form", "the form could not be read")
	}
	vals := form.New.Read(posted, "")
	cu, _, err := h.s.Customers.Create(c.Request().Context(), page.Actor(c), form.New.Decode(vals), nil)
	if fields := page.FieldErrors(err); fields != nil {
		return page.Render(c, http.StatusUnprocessableEntity, customerlistview.New(
			page.Layout(c, "New customer", layout.NavCustomers), customerlistview.NewForm{Values: vals, Errors: fields}))
	}
	if err != nil {
		return err
	}
	if err := page.AddFlash(c, page.FlashSuccess, "Customer “"+cu.Company.Name+"” created. Add its associates below."); err != nil {
		return err
	}
	return page.Redirect(c, "/customers/"+cu.Reference.String())
}

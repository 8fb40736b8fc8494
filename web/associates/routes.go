// Package associates serves the associates editor: rows added, edited and
// removed, then the whole list saved through the same replace-associates
// service method the API's PUT …/associates uses.
package associates

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/views/associatesview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/page"
)

type handler struct{ s page.Services }

// Register mounts this area's pages on the signed-in group.
func Register(g *echo.Group, s page.Services) {
	h := handler{s}
	g.GET("/customers/:ref/associates", h.section)
	g.GET("/customers/:ref/associates/edit", h.edit)
	g.POST("/customers/:ref/associates", h.save)
}

func (h handler) section(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	if !page.IsHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/customers/"+cu.Reference.String()+"#associates")
	}
	return page.Render(c, http.StatusOK, associatesview.Section(associatesview.SectionProps{Customer: cu,
		CanEdit: h.s.Customers.ActionsFor(page.Actor(c), cu).CanEdit, CSRFToken: page.CSRFToken(c)}))
}

func (h handler) edit(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	if !h.s.Customers.ActionsFor(page.Actor(c), cu).CanEdit {
		return page.NotOffered(c)
	}
	v := associatesview.EditorView{C: cu, Version: strconv.Itoa(cu.Version), CSRF: page.CSRFToken(c)}
	for i := range cu.Company.Associates {
		v.Rows = append(v.Rows, associatesview.Row{Index: i, Values: form.Associate.Encode(&cu.Company.Associates[i])})
	}
	return h.render(c, http.StatusOK, v)
}

func (h handler) render(c echo.Context, status int, v associatesview.EditorView) error {
	if page.IsHTMX(c) {
		return page.Render(c, status, associatesview.Editor(v))
	}
	return page.Render(c, status, associatesview.EditorPage(page.Layout(c, "Associates of "+v.C.Company.Name, layout.NavCustomers), v))
}

// readRows collects the submitted rows in index order (indexes may have gaps
// after rows were added and removed in the browser) and numbers them by
// position, the way the service's error paths count.
func readRows(posted url.Values) []associatesview.Row {
	seen := map[int]bool{}
	for key := range posted {
		idx, _, ok := form.RowIndex(key)
		if !ok {
			continue
		}
		if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i <= 10_000 && strconv.Itoa(i) == idx {
			seen[i] = true
		}
	}
	idx := make([]int, 0, len(seen))
	for i := range seen {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	rows := make([]associatesview.Row, len(idx))
	for pos, i := range idx {
		rows[pos] = associatesview.Row{Index: pos, Values: form.Associate.Read(posted, form.RowPrefix(strconv.Itoa(i)))}
	}
	return rows
}

// save replaces the list through the service, which loads the customer
// itself; the customer is read here only to show the editor again.
func (h handler) save(c echo.Context) error {
	ref, err := page.Ref(c)
	if err != nil {
		return err
	}
	posted, err := c.FormParams()
	if err != nil {
		return apperr.BadRequest("malformed_form", "the form could not be read")
	}
	rows := readRows(posted)

	// Without JavaScript, "Add associate" and "Remove" come here as submit
	// buttons: change the rows and show the editor again, saving nothing.
	if action := c.FormValue("_action"); action == "add" || strings.HasPrefix(action, "remove:") {
		return h.changeRows(c, action, rows)
	}

	list := make([]customer.AssociateInput, len(rows))
	for i, r := range rows {
		list[i] = form.Associate.Decode(r.Values)
	}
	saved, err := h.s.Customers.ReplaceAssociates(c.Request().Context(), page.Actor(c), ref,
		customer.AssociatesInput{Associates: &list}, page.Version(c))
	if err == nil {
		if err := page.AddFlash(c, page.FlashSuccess, "Associates saved."); err != nil {
			return err
		}
		// The page reloads whole: the version, history and approval blockers changed too.
		return page.Redirect(c, "/customers/"+saved.Reference.String())
	}
	fields, e := page.FieldErrors(err), page.AppError(err)
	if fields == nil && (e == nil || (e.Kind != apperr.KindStale && e.Kind != apperr.KindConflict)) {
		return err
	}
	cu, gerr := h.s.Customer(c)
	if gerr != nil {
		return gerr
	}
	v := associatesview.EditorView{C: cu, Version: c.FormValue("version"), Rows: rows, Errors: fields, CSRF: page.CSRFToken(c)}
	switch {
	case fields != nil:
		return h.render(c, http.StatusUnprocessableEntity, v)
	case e.Kind == apperr.KindStale:
		v.Stale = staleNotice(e)
	default:
		v.Errors = map[string][]string{"company.associates": {e.Message}}
	}
	return h.render(c, http.StatusConflict, v)
}

// changeRows adds or removes a row for a browser without JavaScript, when
// the service offers this actor editing at all.
func (h handler) changeRows(c echo.Context, action string, rows []associatesview.Row) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	if !h.s.Customers.ActionsFor(page.Actor(c), cu).CanEdit {
		return page.NotOffered(c)
	}
	v := associatesview.EditorView{C: cu, Version: c.FormValue("version"), Rows: rows, CSRF: page.CSRFToken(c)}
	if action == "add" {
		v.Rows = append(v.Rows, associatesview.Row{Index: len(v.Rows), Values: form.Values{}})
		return h.render(c, http.StatusOK, v)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(action, "remove:"))
	if err == nil && n >= 0 && n < len(v.Rows) {
		v.Rows = append(v.Rows[:n:n], v.Rows[n+1:]...)
		for i := range v.Rows {
			v.Rows[i].Index = i
		}
	}
	return h.render(c, http.StatusOK, v)
}

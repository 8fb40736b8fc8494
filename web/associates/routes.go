// Package associates serves the associates editor: rows added, edited and
// removed, then the whole list saved through the same replace-associates
// service method the API's PUT …/associates uses.
package associates

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/views/associatesview"
	"github.com/verity-kyb/verity/views/layout"
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
		return apperr.Forbidden("your role (%s) may not edit associates", page.Actor(c).Role)
	}
	v := associatesview.EditorView{C: cu, Version: strconv.Itoa(cu.Version), CSRF: page.CSRFToken(c)}
	for i := range cu.Company.Associates {
		v.Rows = append(v.Rows, associatesview.Row{Index: i, Values: rowValues(&cu.Company.Associates[i])})
	}
	return h.render(c, http.StatusOK, v)
}

func (h handler) render(c echo.Context, status int, v associatesview.EditorView) error {
	if page.IsHTMX(c) {
		return page.Render(c, status, associatesview.Editor(v))
	}
	return page.Render(c, status, associatesview.EditorPage(page.Layout(c, "Associates of "+v.C.Company.Name, layout.NavCustomers), v))
}

var fieldName = regexp.MustCompile(`^company\.associates\[(\d+)\]\.(.+)$`)

// readRows collects the submitted rows in index order (indexes may have gaps
// after rows were added and removed in the browser) and numbers them by
// position, the way the service's error paths count.
func readRows(form map[string][]string) []associatesview.Row {
	byIndex := map[int]map[string]string{}
	for key, vals := range form {
		m := fieldName.FindStringSubmatch(key)
		if m == nil || len(vals) == 0 {
			continue
		}
		i, err := strconv.Atoi(m[1])
		if err != nil || i > 10_000 {
			continue
		}
		if byIndex[i] == nil {
			byIndex[i] = map[string]string{}
		}
		byIndex[i][m[2]] = strings.TrimSpace(vals[len(vals)-1])
	}
	idx := make([]int, 0, len(byIndex))
	for i := range byIndex {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	rows := make([]associatesview.Row, len(idx))
	for pos, i := range idx {
		rows[pos] = associatesview.Row{Index: pos, Values: byIndex[i]}
	}
	return rows
}

func (h handler) save(c echo.Context) error {
	cu, err := h.s.Customer(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return apperr.BadRequest("malformed_form", "the form could not be read")
	}
	v := associatesview.EditorView{C: cu, Version: c.FormValue("version"), Rows: readRows(form), CSRF: page.CSRFToken(c)}

	// Without JavaScript, "Add associate" and "Remove" come here as submit
	// buttons: change the rows and show the editor again, saving nothing.
	action := c.FormValue("_action")
	if (action == "add" || strings.HasPrefix(action, "remove:")) && !h.s.Customers.ActionsFor(page.Actor(c), cu).CanEdit {
		return apperr.Forbidden("your role (%s) may not edit associates", page.Actor(c).Role)
	}
	switch {
	case action == "add":
		v.Rows = append(v.Rows, associatesview.Row{Index: len(v.Rows), Values: map[string]string{}})
		return h.render(c, http.StatusOK, v)
	case strings.HasPrefix(action, "remove:"):
		n, err := strconv.Atoi(strings.TrimPrefix(action, "remove:"))
		if err == nil && n >= 0 && n < len(v.Rows) {
			v.Rows = append(v.Rows[:n:n], v.Rows[n+1:]...)
			for i := range v.Rows {
				v.Rows[i].Index = i
			}
		}
		return h.render(c, http.StatusOK, v)
	}

	version, verr := strconv.Atoi(v.Version)
	if verr != nil {
		version = -1
	}
	list := make([]customer.AssociateInput, len(v.Rows))
	for i, r := range v.Rows {
		list[i] = inputOf(r.Values)
	}
	saved, err := h.s.Customers.ReplaceAssociates(c.Request().Context(), page.Actor(c), cu.Reference,
		customer.AssociatesInput{Associates: &list}, customer.Versions{version})
	if fields := page.FieldErrors(err); fields != nil {
		v.Errors = fields
		return h.render(c, http.StatusUnprocessableEntity, v)
	}
	if e := page.AppError(err); e != nil && (e.Kind == apperr.KindStale || e.Kind == apperr.KindConflict) {
		if e.Kind == apperr.KindStale {
			v.Stale = staleNotice(err)
		} else {
			v.Errors = map[string][]string{"company.associates": {e.Message}}
		}
		return h.render(c, http.StatusConflict, v)
	}
	if err != nil {
		return err
	}
	if err := page.AddFlash(c, page.FlashSuccess, "Associates saved."); err != nil {
		return err
	}
	// The page reloads whole: the version, history and approval blockers changed too.
	return page.Redirect(c, "/customers/"+saved.Reference.String())
}

// inputOf turns one row into the service's input; empty means none.
func inputOf(v map[string]string) customer.AssociateInput {
	opt := func(k string) *string {
		if s := v[k]; s != "" {
			return &s
		}
		return nil
	}
	req := func(k string) *string { s := v[k]; return &s }
	flag := func(k string) *bool { b := v[k] == "true"; return &b }
	upper := func(k string) *string {
		if s := opt(k); s != nil {
			u := strings.ToUpper(*s)
			return &u
		}
		return nil
	}
	in := customer.AssociateInput{
		Person: customer.PersonInput{Reference: opt("person.reference"), FirstName: req("person.firstName"),
			LastName: req("person.lastName"), DateOfBirth: opt("person.dateOfBirth")},
		Details: customer.DetailsInput{
			BirthCountryCode: upper("details.birthCountryCode"),
			ContactInfo:      customer.ContactInfoInput{EmailAddress: opt("details.contactInfo.emailAddress"), PhoneNumber: opt("details.contactInfo.phoneNumber")},
			DocumentInfo: customer.DocumentInfoInput{Type: opt("details.documentInfo.type"), Number: opt("details.documentInfo.number"),
				IssuingCountryCode: upper("details.documentInfo.issuingCountryCode")},
			TaxIdentification: customer.TaxIdentificationInput{Number: opt("details.taxIdentification.number"),
				TaxResidenceCountryCode: upper("details.taxIdentification.taxResidenceCountryCode")},
		},
		Title: opt("title"), RiskScore: opt("riskScore"),
		Controls: customer.ControlsInput{HasOwnership: flag("controls.hasOwnership"), HasControl: flag("controls.hasControl"), IsSigner: flag("controls.isSigner")},
	}
	addr := customer.AddressInput{AddressLine1: opt("person.address.addressLine1"), AddressLine2: opt("person.address.addressLine2"),
		City: opt("person.address.city"), PostalCode: opt("person.address.postalCode"), CountryCode: upper("person.address.countryCode")}
	if addr.AddressLine1 != nil || addr.AddressLine2 != nil || addr.City != nil || addr.PostalCode != nil || addr.CountryCode != nil {
		in.Person.Address = &addr
	}
	return in
}

// rowValues is a stored associate as the editor's inputs show it.
func rowValues(a *customer.Associate) map[string]string {
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	b := func(x bool) string {
		if x {
			return "true"
		}
		return ""
	}
	d := a.Details
	v := map[string]string{
		"person.reference":                                  a.Person.Reference.String(),
		"person.firstName":                                  a.Person.FirstName,
		"person.lastName":                                   a.Person.LastName,
		"person.dateOfBirth":                                s(a.Person.DateOfBirth),
		"title":                                             s(a.Title),
		"details.contactInfo.emailAddress":                  s(d.ContactInfo.EmailAddress),
		"details.contactInfo.phoneNumber":                   s(d.ContactInfo.PhoneNumber),
		"details.birthCountryCode":                          s(d.BirthCountryCode),
		"details.documentInfo.type":                         s(d.DocumentInfo.Type),
		"details.documentInfo.number":                       s(d.DocumentInfo.Number),
		"details.documentInfo.issuingCountryCode":           s(d.DocumentInfo.IssuingCountryCode),
		"details.taxIdentification.number":                  s(d.TaxIdentification.Number),
		"details.taxIdentification.taxResidenceCountryCode": s(d.TaxIdentification.TaxResidenceCountryCode),
		"controls.hasOwnership":                             b(a.Controls.HasOwnership),
		"controls.hasControl":                               b(a.Controls.HasControl),
		"controls.isSigner":                                 b(a.Controls.IsSigner),
	}
	if a.RiskScore != nil {
		v["riskScore"] = string(*a.RiskScore)
	}
	if ad := a.Person.Address; ad != nil {
		v["person.address.addressLine1"], v["person.address.addressLine2"] = ad.AddressLine1, s(ad.AddressLine2)
		v["person.address.city"], v["person.address.postalCode"], v["person.address.countryCode"] = ad.City, ad.PostalCode, ad.CountryCode
	}
	return v
}

package associates_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/validate"
	"github.com/verity-kyb/verity/web/webtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// twoAssociates has Sean Bond (owner and control, complete document, low
// risk) and Ada Lovelace (signer only, no document, no risk yet).
const twoAssociates = `{
  "riskScore": "LOW",
  "company": {
    "name": "Analytical Engines", "taxResidenceCountryCode": "GB", "registrationNumber": "12345678",
    "address": {"addressLine1": "2 High St", "city": "London", "postalCode": "SW1A 1AA", "countryCode": "GB"},
    "associates": [{
      "person": {"firstName": "Sean", "lastName": "Bond", "dateOfBirth": "2001-01-31"},
      "details": {"birthCountryCode": "US",
        "contactInfo": {"emailAddress": "sean.bond@example.com"},
        "documentInfo": {"number": "123456789", "type": "PASSPORT", "issuingCountryCode": "US"}},
      "title": "CEO", "riskScore": "LOW",
      "controls": {"hasOwnership": true, "hasControl": true, "isSigner": false}
    }, {
      "person": {"firstName": "Ada", "lastName": "Lovelace", "dateOfBirth": "1990-12-10"},
      "details": {"contactInfo": {"emailAddress": "ada@example.com"}},
      "title": "Secretary",
      "controls": {"hasOwnership": false, "hasControl": false, "isSigner": true}
    }]
  }
}`

const noAssociates = `{
  "riskScore": "MEDIUM",
  "company": {
    "name": "Lonely Ltd", "taxResidenceCountryCode": "GB", "registrationNumber": "12345678",
    "address": {"addressLine1": "2 High St", "city": "London", "postalCode": "SW1A 1AA", "countryCode": "GB"}
  }
}`

func path(c *customer.Customer, rest string) string {
	return "/customers/" + c.Reference.String() + rest
}

func stored(t *testing.T, s *webtest.Site, c *customer.Customer) *customer.Customer {
	t.Helper()
	cur, err := s.Customers.Get(context.Background(), s.Actor("admin"), c.Reference)
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

// field is the name of one input of the editor row with that form index.
func field(index int, f string) string {
	return "company.associates[" + strconv.Itoa(index) + "]." + f
}

// formValues is what a browser submits from the editor form, before the
// pressed button adds its own name and value.
func formValues(t *testing.T, r *webtest.Response) url.Values {
	t.Helper()
	form := r.Doc.Find("form[data-testid=associates-form]")
	if form.Length() != 1 {
		t.Fatalf("no editor form in:\n%s", r.Body)
	}
	v := url.Values{}
	form.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if name == "" || name == "_csrf" {
			return
		}
		switch typ, _ := s.Attr("type"); {
		case goquery.NodeName(s) == "select":
			opt := s.Find("option[selected]")
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			val, _ := opt.Attr("value")
			v.Add(name, val)
		case goquery.NodeName(s) == "textarea":
			v.Add(name, s.Text())
		case typ == "submit" || typ == "button":
		case typ == "checkbox" || typ == "radio":
			if _, on := s.Attr("checked"); on {
				val, ok := s.Attr("value")
				if !ok {
					val = "on"
				}
				v.Add(name, val)
			}
		default:
			val, _ := s.Attr("value")
			v.Add(name, val)
		}
	})
	return v
}

// rows are the editor's associate fieldsets (not the <template> one).
func rows(r *webtest.Response) *goquery.Selection {
	return r.Doc.Find("form[data-testid=associates-form] [data-testid=associate-row]")
}

func attr(r *webtest.Response, selector, name string) string {
	v, _ := r.Doc.Find(selector).First().Attr(name)
	return v
}

// withoutRow drops every field of the row with that form index.
func withoutRow(v url.Values, index int) url.Values {
	prefix := "company.associates[" + strconv.Itoa(index) + "]."
	out := url.Values{}
	for k, vs := range v {
		if !strings.HasPrefix(k, prefix) {
			out[k] = vs
		}
	}
	return out
}

// renumber moves a row's fields to another form index, as the browser's
// add/remove leaves gaps.
func renumber(v url.Values, from, to int) url.Values {
	prefix := "company.associates[" + strconv.Itoa(from) + "]."
	out := url.Values{}
	for k, vs := range v {
		if strings.HasPrefix(k, prefix) {
			k = field(to, strings.TrimPrefix(k, prefix))
		}
		out[k] = vs
	}
	return out
}

func TestAssociatesCard(t *testing.T) {
	s := webtest.New(t)
	cu := s.NewCustomer("officer", twoAssociates)
	lonely := s.NewCustomer("officer", noAssociates)

	t.Run("roles, document marker, risk and verification are shown", func(t *testing.T) {
		r := s.SignIn("officer").Get(path(cu, "")).Want(http.StatusOK)
		card := r.Doc.Find("#associates[data-testid=associates]")
		if card.Length() != 1 {
			t.Fatalf("no associates card")
		}
		trs := card.Find("tbody tr[data-testid=associate]")
		if trs.Length() != 2 {
			t.Fatalf("%d associate rows", trs.Length())
		}
		sean, ada := trs.Eq(0), trs.Eq(1)
		if got := strings.Join(strings.Fields(sean.Find("[data-testid=associate-name]").Text()), " "); got != "Sean Bond" {
			t.Errorf("first name cell: %q", got)
		}
		for _, role := range []string{"owner", "control"} {
			b := sean.Find("[data-role=" + role + "]")
			if b.Length() != 1 || !strings.EqualFold(strings.TrimSpace(b.Text()), role) {
				t.Errorf("Sean has no readable %s badge", role)
			}
		}
		if sean.Find("[data-role=signer]").Length() != 0 || ada.Find("[data-role=signer]").Length() != 1 ||
			ada.Find("[data-role=owner], [data-role=control]").Length() != 0 {
			t.Errorf("role badges on the wrong people")
		}
		if sean.Find("[data-testid=missing-document]").Length() != 0 {
			t.Errorf("Sean's complete document is marked missing")
		}
		if !strings.Contains(sean.Text(), "Passport 123456789 (US)") {
			t.Errorf("Sean's document not shown: %q", sean.Text())
		}
		if m := ada.Find("[data-testid=missing-document]"); m.Length() != 1 || strings.TrimSpace(m.Text()) != "Missing" {
			t.Errorf("Ada's missing document is not marked in words: %q", m.Text())
		}
		if sean.Find("[data-risk=LOW]").Length() != 1 || !strings.Contains(sean.Text(), "Low risk") ||
			ada.Find("[data-risk]").Length() != 0 || !strings.Contains(ada.Text(), "—") {
			t.Errorf("risk column: %q / %q", sean.Text(), ada.Text())
		}
		if !strings.Contains(sean.Text(), "sean.bond@example.com") || !strings.Contains(sean.Text(), "2001-01-31") || !strings.Contains(sean.Text(), "CEO") {
			t.Errorf("e-mail, date of birth or title missing: %q", sean.Text())
		}
		link := sean.Find(`a[href^="https://verify.example.com"]`)
		if link.Length() != 1 {
			t.Fatalf("no verification link")
		}
		if rel, _ := link.Attr("rel"); !strings.Contains(rel, "noopener") {
			t.Errorf("verification link rel=%q", rel)
		}
	})

	t.Run("a partial document says what it lacks", func(t *testing.T) {
		body := strings.Replace(twoAssociates, `"details": {"contactInfo": {"emailAddress": "ada@example.com"}}`,
			`"details": {"contactInfo": {"emailAddress": "ada@example.com"}, "documentInfo": {"number": "X1", "type": "ID_CARD"}}`, 1)
		partial := s.NewCustomer("officer", body)
		r := s.SignIn("viewer").Get(path(partial, "")).Want(http.StatusOK)
		if got := r.Text("#associates [data-testid=missing-document]"); got != "Incomplete: no issuing country" {
			t.Errorf("marker %q", got)
		}
	})

	t.Run("an officer gets an edit button that works with and without JavaScript", func(t *testing.T) {
		r := s.SignIn("officer").Get(path(cu, "")).Want(http.StatusOK)
		edit := r.Doc.Find("#associates [data-testid=associates-edit]")
		if edit.Length() != 1 {
			t.Fatal("no edit button")
		}
		want := path(cu, "/associates/edit")
		if h, _ := edit.Attr("href"); h != want {
			t.Errorf("href %q", h)
		}
		if h, _ := edit.Attr("hx-get"); h != want {
			t.Errorf("hx-get %q", h)
		}
		if h, _ := edit.Attr("hx-target"); h != "#associates" {
			t.Errorf("hx-target %q", h)
		}
		if h, _ := edit.Attr("hx-swap"); h != "outerHTML" {
			t.Errorf("hx-swap %q", h)
		}
	})

	t.Run("a viewer sees no edit button and cannot open the editor", func(t *testing.T) {
		c := s.SignIn("viewer")
		r := c.Get(path(cu, "")).Want(http.StatusOK)
		if !r.Has("#associates") || r.Has("[data-testid=associates-edit]") {
			t.Fatal("viewer: card missing or edit button shown")
		}
		c.Get(path(cu, "/associates/edit")).Want(http.StatusForbidden)
	})

	t.Run("no associates shows an empty state", func(t *testing.T) {
		r := s.SignIn("officer").Get(path(lonely, "")).Want(http.StatusOK)
		if r.Has("#associates table") || !strings.Contains(r.Text("#associates"), "No associates") {
			t.Fatalf("empty state: %q", r.Text("#associates"))
		}
	})

	t.Run("the card alone is served to htmx", func(t *testing.T) {
		c := s.SignIn("officer")
		r := c.HTMX(http.MethodGet, path(cu, "/associates"), nil).Want(http.StatusOK)
		if strings.Contains(r.Body, "<html") || !r.Has("section#associates[data-testid=associates]") {
			t.Fatalf("fragment:\n%s", r.Body)
		}
		r = c.Get(path(cu, "/associates")).Want(http.StatusSeeOther)
		if r.Location() != path(cu, "#associates") {
			t.Errorf("plain GET went to %q", r.Location())
		}
	})
}

func TestAssociatesEditor(t *testing.T) {
	s := webtest.New(t)

	t.Run("htmx gets the editor fragment, a plain GET a whole page", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		c := s.SignIn("officer")
		r := c.HTMX(http.MethodGet, path(cu, "/associates/edit"), nil).Want(http.StatusOK)
		if strings.Contains(r.Body, "<html") || r.Has("h1") || !r.Has("section#associates form[data-testid=associates-form]") {
			t.Fatalf("fragment:\n%s", r.Body)
		}
		r = c.Get(path(cu, "/associates/edit")).Want(http.StatusOK)
		if !strings.Contains(r.Body, "<html") || r.Doc.Find("h1").Length() != 1 || !r.Has("main form[data-testid=associates-form]") {
			t.Fatalf("page:\n%s", r.Body)
		}
		if n := rows(r).Length(); n != 2 {
			t.Fatalf("%d rows", n)
		}
		if leg := strings.Join(strings.Fields(rows(r).Eq(1).Find("legend").First().Text()), " "); leg != "Associate 2: Ada Lovelace" {
			t.Errorf("legend %q", leg)
		}
		sean := cu.Company.Associates[0]
		if v := attr(r, `input[name="`+field(0, "person.reference")+`"][type=hidden]`, "value"); v != sean.Person.Reference.String() {
			t.Errorf("hidden reference %q", v)
		}
		// The date of birth reads YYYY-MM-DD as every page does, not the browser's mm/dd/yyyy.
		dob := `input[name="` + field(0, "person.dateOfBirth") + `"]`
		if v := attr(r, dob, "type"); v != "text" {
			t.Errorf("date of birth input type %q, want text", v)
		}
		if p, ph, v := attr(r, dob, "pattern"), attr(r, dob, "placeholder"), attr(r, dob, "value"); p != validate.DatePattern || ph != "YYYY-MM-DD" || v != *sean.Person.DateOfBirth {
			t.Errorf("date of birth pattern %q placeholder %q value %q", p, ph, v)
		}
		// Country fields are selects of countries by name, sending the code.
		if sel := r.Doc.Find(`select[name="` + field(0, "details.documentInfo.issuingCountryCode") + `"]`); sel.Length() != 1 ||
			sel.Find("option[selected]").AttrOr("value", "") != *sean.Details.DocumentInfo.IssuingCountryCode ||
			sel.Find(`option[value=DE]`).Text() != "Germany (DE)" {
			t.Errorf("issuing country is not a country select with the stored code chosen")
		}
		// Saved rows start compact (app.js folds them); the summary names them.
		if rows(r).Eq(0).AttrOr("data-compact", "missing") == "missing" {
			t.Errorf("a saved row without errors is not compact")
		}
		if got := strings.Join(strings.Fields(rows(r).Eq(0).Find("[data-testid=associate-summary]").Text()), " "); !strings.Contains(got, "Sean Bond") || !strings.Contains(got, "Born 2001-01-31") {
			t.Errorf("row summary %q", got)
		}
		if v := attr(r, `select[name="`+field(0, "details.documentInfo.type")+`"] option[selected]`, "value"); v != "PASSPORT" {
			t.Errorf("document type selected %q", v)
		}
		if _, on := r.Doc.Find(`input[name="` + field(0, "controls.hasOwnership") + `"]`).Attr("checked"); !on {
			t.Errorf("owner box not ticked")
		}
		if r.Doc.Find(`select[name="`+field(1, "riskScore")+`"] option[value=""]`).Length() != 1 {
			t.Errorf("risk select has no empty option")
		}
		for _, id := range []string{"associate-add", "associates-save", "associates-cancel"} {
			if !r.Has("form [data-testid=" + id + "]") {
				t.Errorf("no %s", id)
			}
		}
		if rows(r).Find("[data-testid=associate-remove]").Length() != 2 {
			t.Errorf("each row needs a Remove button")
		}
		if v := attr(r, "[data-testid=associate-add]", "value"); v != "add" {
			t.Errorf("add button value %q", v)
		}
		if v := attr(r, "form [data-testid=associate-remove]", "value"); v != "remove:0" {
			t.Errorf("remove button value %q", v)
		}
		tpl := r.Doc.Find("template#associate-row")
		if tpl.Length() != 1 || !strings.Contains(r.Body, `name="company.associates[__INDEX__].person.firstName"`) ||
			!strings.Contains(r.Body, "Associate __NUMBER__") {
			t.Errorf("no row template with __INDEX__/__NUMBER__")
		}
	})

	t.Run("Enter in a field saves rather than removing the first row", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		r := s.SignIn("officer").Get(path(cu, "/associates/edit")).Want(http.StatusOK)
		// Implicit submission presses the form's first submit button.
		first := r.Doc.Find("form[data-testid=associates-form] button[type=submit], form[data-testid=associates-form] input[type=submit]").First()
		if v, _ := first.Attr("value"); v != "save" {
			t.Fatalf("first submit button is %q", v)
		}
	})

	t.Run("without JavaScript, Add associate adds an empty row and saves nothing", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		c := s.SignIn("officer")
		r := c.Get(path(cu, "/associates/edit")).Want(http.StatusOK)
		v := formValues(t, r)
		v.Set(field(0, "title"), "Chief Executive") // typed, not yet saved
		v.Set("_action", "add")
		r = c.PostForm(path(cu, "/associates"), v).Want(http.StatusOK)
		if n := rows(r).Length(); n != 3 {
			t.Fatalf("%d rows after add", n)
		}
		if got := attr(r, `input[name="`+field(0, "title")+`"]`, "value"); got != "Chief Executive" {
			t.Errorf("typed title lost: %q", got)
		}
		for _, f := range []string{"person.firstName", "person.lastName", "person.reference", "details.contactInfo.emailAddress"} {
			if got := attr(r, `input[name="`+field(2, f)+`"]`, "value"); got != "" {
				t.Errorf("new row %s = %q", f, got)
			}
		}
		if r.Has(`[aria-invalid=true]`) || r.Has("[data-testid=error-summary]") {
			t.Errorf("adding a row shows errors")
		}
		if got := stored(t, s, cu); got.Version != cu.Version || len(got.Company.Associates) != 2 || *got.Company.Associates[0].Title != "CEO" {
			t.Errorf("add saved something: version %d", got.Version)
		}
	})

	t.Run("without JavaScript, Remove drops that row and saves nothing", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		c := s.SignIn("officer")
		v := formValues(t, c.Get(path(cu, "/associates/edit")).Want(http.StatusOK))
		v.Set("_action", "remove:0")
		r := c.PostForm(path(cu, "/associates"), v).Want(http.StatusOK)
		if n := rows(r).Length(); n != 1 {
			t.Fatalf("%d rows after remove", n)
		}
		if got := attr(r, `input[name="`+field(0, "person.firstName")+`"]`, "value"); got != "Ada" {
			t.Errorf("remaining row is %q", got)
		}
		if got := attr(r, `input[name="`+field(0, "person.reference")+`"]`, "value"); got != cu.Company.Associates[1].Person.Reference.String() {
			t.Errorf("remaining row's reference %q", got)
		}
		if got := stored(t, s, cu); got.Version != cu.Version || len(got.Company.Associates) != 2 {
			t.Errorf("remove saved something")
		}
	})

	t.Run("a viewer's post is refused, even for Add associate", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		v := formValues(t, s.SignIn("officer").Get(path(cu, "/associates/edit")))
		c := s.SignIn("viewer")
		c.PostForm(path(cu, "/associates"), v).Want(http.StatusForbidden)
		v.Set("_action", "add")
		c.PostForm(path(cu, "/associates"), v).Want(http.StatusForbidden)
		if got := stored(t, s, cu); got.Version != cu.Version {
			t.Errorf("viewer changed the customer")
		}
	})

	t.Run("a post without the CSRF token is refused", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		c := s.SignIn("officer")
		v := formValues(t, c.Get(path(cu, "/associates/edit")))
		v = withoutRow(v, 1)
		v.Set("_csrf", "")
		c.PostForm(path(cu, "/associates"), v).Want(http.StatusForbidden)
		if got := stored(t, s, cu); got.Version != cu.Version || len(got.Company.Associates) != 2 {
			t.Errorf("saved without CSRF")
		}
	})

	t.Run("save keeps Sean's reference and gives a new associate one", func(t *testing.T) {
		cu := s.NewCustomer("officer", "")
		sean := cu.Company.Associates[0]
		c := s.SignIn("officer")
		v := formValues(t, c.Get(path(cu, "/associates/edit")).Want(http.StatusOK))
		v.Set(field(0, "title"), "Chairman")
		// The browser's add leaves a gap in the indexes.
		for f, val := range map[string]string{
			"person.reference": "", "person.firstName": "Grace", "person.lastName": "Hopper",
			"person.dateOfBirth": "1976-12-09", "details.contactInfo.emailAddress": "grace@example.com",
			"details.documentInfo.type": "ID_CARD", "details.documentInfo.number": "X1234567",
			"details.documentInfo.issuingCountryCode": "us", "riskScore": "MEDIUM", "controls.isSigner": "true",
		} {
			v.Set(field(4, f), val)
		}
		v.Set("_action", "save")
		r := c.PostForm(path(cu, "/associates"), v).Want(http.StatusSeeOther)
		if r.Location() != path(cu, "") {
			t.Fatalf("went to %q", r.Location())
		}
		got := stored(t, s, cu)
		if len(got.Company.Associates) != 2 {
			t.Fatalf("%d associates stored", len(got.Company.Associates))
		}
		a0, a1 := got.Company.Associates[0], got.Company.Associates[1]
		if a0.Person.Reference != sean.Person.Reference || a0.Verification.URL != sean.Verification.URL || *a0.Title != "Chairman" {
			t.Errorf("Sean not kept: %+v", a0.Person)
		}
		if a1.FullName() != "Grace Hopper" || a1.Person.Reference == uuid.Nil || a1.Person.Reference == sean.Person.Reference {
			t.Errorf("new associate: %s %s", a1.FullName(), a1.Person.Reference)
		}
		if !a1.Controls.IsSigner || a1.Controls.HasControl || a1.RiskScore == nil || *a1.RiskScore != "MEDIUM" ||
			a1.Details.DocumentInfo.IssuingCountryCode == nil || *a1.Details.DocumentInfo.IssuingCountryCode != "US" {
			t.Errorf("new associate's fields: %+v %+v", a1.Controls, a1.Details.DocumentInfo)
		}
		if a1.Details.TaxIdentification.Number != nil || a1.Person.Address != nil {
			t.Errorf("empty inputs stored as values")
		}
		page := c.Get(path(cu, "")).Want(http.StatusOK)
		if !strings.Contains(page.Text("#flash, .flash"), "Associates saved") {
			t.Errorf("no flash: %q", page.Text("#flash, .flash"))
		}
		if page.Doc.Find("#associates tbody tr").Length() != 2 {
			t.Errorf("card does not show the new associate")
		}
	})

	t.Run("a row left out is removed", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		c := s.SignIn("officer")
		v := withoutRow(formValues(t, c.Get(path(cu, "/associates/edit"))), 0)
		c.PostForm(path(cu, "/associates"), v).Want(http.StatusSeeOther)
		got := stored(t, s, cu)
		if len(got.Company.Associates) != 1 || got.Company.Associates[0].Person.Reference != cu.Company.Associates[1].Person.Reference {
			t.Fatalf("stored %d associates", len(got.Company.Associates))
		}
	})

	t.Run("htmx save answers with HX-Location to the customer page", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		c := s.SignIn("officer")
		v := formValues(t, c.HTMX(http.MethodGet, path(cu, "/associates/edit"), nil))
		v.Set(field(1, "details.contactInfo.phoneNumber"), "+441234567890")
		v.Set("_action", "save")
		r := c.HTMX(http.MethodPost, path(cu, "/associates"), v)
		if r.Status >= 300 || r.Header.Get("HX-Location") != path(cu, "") {
			t.Fatalf("status %d, HX-Location %q", r.Status, r.Header.Get("HX-Location"))
		}
		if got := stored(t, s, cu); got.Version == cu.Version {
			t.Errorf("not saved")
		}
	})

	t.Run("an invalid e-mail in row 2 is shown under that row's input, input kept", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		c := s.SignIn("officer")
		v := formValues(t, c.Get(path(cu, "/associates/edit")))
		// Rows added and removed in the browser leave gaps: 3 and 9.
		v = renumber(renumber(v, 0, 3), 1, 9)
		v.Set(field(9, "details.contactInfo.emailAddress"), "ada-at-example")
		v.Set(field(9, "title"), "Countess")
		r := c.PostForm(path(cu, "/associates"), v).Want(http.StatusUnprocessableEntity)
		if n := rows(r).Length(); n != 2 {
			t.Fatalf("%d rows", n)
		}
		row2 := rows(r).Eq(1)
		email := row2.Find(`input[type=email]`)
		if inv, _ := email.Attr("aria-invalid"); inv != "true" {
			h, _ := goquery.OuterHtml(row2)
			t.Fatalf("row 2 e-mail not marked invalid:\n%s", h)
		}
		if val, _ := email.Attr("value"); val != "ada-at-example" {
			t.Errorf("e-mail not kept: %q", val)
		}
		desc, _ := email.Attr("aria-describedby")
		if desc == "" || strings.TrimSpace(r.Doc.Find("#"+strings.Fields(desc)[len(strings.Fields(desc))-1]).Text()) == "" {
			t.Errorf("error not tied to the input (aria-describedby %q)", desc)
		}
		if val, _ := row2.Find(`input[name$=".title"]`).Attr("value"); val != "Countess" {
			t.Errorf("other input not kept: %q", val)
		}
		if rows(r).Eq(0).Find("[aria-invalid=true]").Length() != 0 {
			t.Errorf("row 1 marked invalid")
		}
		if sum := r.Text("[data-testid=error-summary]"); !strings.Contains(sum, "Associate 2 — E-mail") {
			t.Errorf("summary: %q", sum)
		}
		id, _ := email.Attr("id")
		if link := r.Doc.Find(`[data-testid=error-summary] a[href="#` + id + `"]`); link.Length() != 1 || !strings.Contains(link.Text(), "E-mail") {
			t.Errorf("summary does not link to the input #%s", id)
		}
		if got := stored(t, s, cu); got.Version != cu.Version {
			t.Errorf("saved despite the error")
		}
	})

	t.Run("an invalid save through htmx re-renders the editor fragment", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		c := s.SignIn("officer")
		v := formValues(t, c.HTMX(http.MethodGet, path(cu, "/associates/edit"), nil))
		v.Set(field(0, "person.firstName"), "")
		r := c.HTMX(http.MethodPost, path(cu, "/associates"), v).Want(http.StatusUnprocessableEntity)
		if strings.Contains(r.Body, "<html") || !r.Has("section#associates form[data-testid=associates-form]") {
			t.Fatalf("not the fragment:\n%s", r.Body)
		}
		if inv := attr(r, `input[name="`+field(0, "person.firstName")+`"]`, "aria-invalid"); inv != "true" {
			t.Errorf("first name not marked invalid")
		}
	})

	t.Run("two rows with the same e-mail are both named", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		c := s.SignIn("officer")
		v := formValues(t, c.Get(path(cu, "/associates/edit")))
		v.Set(field(1, "details.contactInfo.emailAddress"), "SEAN.BOND@example.com")
		r := c.PostForm(path(cu, "/associates"), v).Want(http.StatusUnprocessableEntity)
		for i := 0; i < 2; i++ {
			if inv := attr(r, `input[name="`+field(i, "details.contactInfo.emailAddress")+`"]`, "aria-invalid"); inv != "true" {
				t.Errorf("row %d e-mail not marked invalid", i+1)
			}
		}
		sum := r.Text("[data-testid=error-summary]")
		for _, want := range []string{"Associate 1 — E-mail", "as associate 2", "Associate 2 — E-mail", "as associate 1"} {
			if !strings.Contains(sum, want) {
				t.Errorf("summary lacks %q: %q", want, sum)
			}
		}
		if i1, i2 := strings.Index(sum, "Associate 1 —"), strings.Index(sum, "Associate 2 —"); i1 > i2 {
			t.Errorf("summary not in row order: %q", sum)
		}
		if r.Doc.Find(`[data-testid=error-summary] a[href="#a0-details-contactInfo-emailAddress"], [data-testid=error-summary] a[href="#a1-details-contactInfo-emailAddress"]`).Length() != 2 {
			t.Errorf("summary lines do not link to both inputs")
		}
		if strings.Contains(sum, "company.associates") {
			t.Errorf("summary shows raw paths: %q", sum)
		}
	})

	t.Run("two rows claiming the same stored associate are both named", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		c := s.SignIn("officer")
		v := formValues(t, c.Get(path(cu, "/associates/edit")))
		v.Set(field(1, "person.reference"), cu.Company.Associates[0].Person.Reference.String())
		r := c.PostForm(path(cu, "/associates"), v).Want(http.StatusUnprocessableEntity)
		for i := 0; i < 2; i++ {
			row := rows(r).Eq(i)
			if !strings.Contains(row.Find("[role=alert]").Text(), "Sean Bond") {
				t.Errorf("row %d does not say it matches Sean Bond: %q", i+1, row.Text())
			}
			id, _ := row.Attr("id")
			if id == "" || r.Doc.Find(`[data-testid=error-summary] a[href="#`+id+`"]`).Length() != 1 {
				t.Errorf("summary does not link to row %d", i+1)
			}
		}
		if got := stored(t, s, cu); got.Version != cu.Version {
			t.Errorf("saved despite the error")
		}
	})

	t.Run("a stale save is refused with who changed it, input kept", func(t *testing.T) {
		cu := s.NewCustomer("officer", twoAssociates)
		c := s.SignIn("officer")
		v := formValues(t, c.Get(path(cu, "/associates/edit")))
		// Someone else saves first.
		desc := "Changed meanwhile"
		if _, err := s.Customers.Update(context.Background(), s.Actor("officer2"), cu.Reference,
			customer.DetailsUpdate{Description: customer.Some(desc)}, customer.Versions{cu.Version}); err != nil {
			t.Fatal(err)
		}
		v.Set(field(1, "title"), "Countess of Lovelace")
		r := c.PostForm(path(cu, "/associates"), v).Want(http.StatusConflict)
		notice := r.Text("[data-testid=associates-stale]")
		if !strings.Contains(notice, "Omar Officer") {
			t.Errorf("notice does not name who: %q", notice)
		}
		if got := attr(r, `input[name="`+field(1, "title")+`"]`, "value"); got != "Countess of Lovelace" {
			t.Errorf("input lost: %q", got)
		}
		if got := attr(r, `input[name=version]`, "value"); got != strconv.Itoa(cu.Version) {
			t.Errorf("version silently moved to %q", got)
		}
		if h := attr(r, "[data-testid=associates-stale] a", "href"); h != path(cu, "/associates/edit") {
			t.Errorf("reload link %q", h)
		}
		if got := stored(t, s, cu); *got.Company.Associates[1].Title != "Secretary" {
			t.Errorf("stale save overwrote")
		}
		r = c.HTMX(http.MethodPost, path(cu, "/associates"), v).Want(http.StatusConflict)
		if strings.Contains(r.Body, "<html") || !strings.Contains(r.Text("[data-testid=associates-stale]"), "Omar Officer") {
			t.Errorf("htmx stale answer:\n%s", r.Body)
		}
	})

	t.Run("an unknown customer is 404", func(t *testing.T) {
		c := s.SignIn("officer")
		c.Get("/customers/" + uuid.NewString() + "/associates/edit").Want(http.StatusNotFound)
		c.Get("/customers/not-a-uuid/associates/edit").Want(http.StatusNotFound)
	})
}

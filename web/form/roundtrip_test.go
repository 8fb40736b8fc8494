package form_test

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/webtest"
)

// full has every field of the company and of two associates filled, home
// address and tax identification included.
const full = `{
  "riskScore": "HIGH",
  "company": {
    "name": "Round Trip GmbH", "description": "Freight\nand storage", "taxResidenceCountryCode": "DE",
    "registrationNumber": "HRB 12345", "website": "https://round-trip.example.de",
    "address": {"addressLine1": "Hafenstraße 1", "addressLine2": "Halle 3", "city": "Hamburg", "postalCode": "20457", "countryCode": "DE"},
    "associates": [{
      "person": {"firstName": "Maria", "lastName": "Costa", "dateOfBirth": "1980-02-29",
        "address": {"addressLine1": "Rua A 1", "addressLine2": "3º", "city": "Lisboa", "postalCode": "1100-001", "countryCode": "PT"}},
      "details": {"birthCountryCode": "PT", "contactInfo": {"emailAddress": "maria@example.com", "phoneNumber": "+351912345678"},
        "documentInfo": {"number": "P1234567", "type": "PASSPORT", "issuingCountryCode": "PT"},
        "taxIdentification": {"number": "123456789", "taxResidenceCountryCode": "PT"}},
      "title": "Director", "riskScore": "MEDIUM",
      "controls": {"hasOwnership": true, "hasControl": true, "isSigner": true}
    }, {
      "person": {"firstName": "Elias", "lastName": "Fischer"},
      "details": {},
      "controls": {"hasOwnership": false, "hasControl": false, "isSigner": false}
    }]
  }
}`

// posted is what a browser sends for the form as rendered: every named
// input's value, a select's chosen option, a textarea's text, ticked boxes.
func posted(sel *goquery.Selection) url.Values {
	v := url.Values{}
	sel.Find("input[name], select[name], textarea[name]").Each(func(_ int, el *goquery.Selection) {
		name := el.AttrOr("name", "")
		switch {
		case goquery.NodeName(el) == "select":
			v.Add(name, el.Find("option[selected]").AttrOr("value", ""))
		case goquery.NodeName(el) == "textarea":
			v.Add(name, el.Text())
		case el.AttrOr("type", "") == "checkbox":
			if _, on := el.Attr("checked"); on {
				v.Add(name, el.AttrOr("value", ""))
			}
		case el.AttrOr("type", "") == "submit":
		default:
			v.Add(name, el.AttrOr("value", ""))
		}
	})
	return v
}

// TestFormsRoundTrip sends each edit form back exactly as the page rendered
// it: the stored customer encoded into the form and decoded again must be the
// same customer, so the save changes nothing and writes no history.
func TestFormsRoundTrip(t *testing.T) {
	s := webtest.New(t)
	cu := s.NewCustomer("officer", full)
	c := s.SignIn("officer")
	ref := "/customers/" + cu.Reference.String()

	for _, f := range []struct{ name, edit, save, form string }{
		{"details", "/details/edit", "/details", "[data-testid=details-form]"},
		{"associates", "/associates/edit", "/associates", "[data-testid=associates-form]"},
	} {
		t.Run(f.name, func(t *testing.T) {
			v := posted(c.Get(ref + f.edit).Want(http.StatusOK).Doc.Find(f.form))
			v.Set("_action", "save")
			c.PostForm(ref+f.save, v).Want(http.StatusSeeOther)
			after, err := s.Customers.Get(t.Context(), s.Actor("officer"), cu.Reference)
			if err != nil {
				t.Fatal(err)
			}
			if after.Version != cu.Version || !reflect.DeepEqual(after.Company, cu.Company) || after.RiskScore != cu.RiskScore {
				t.Errorf("a round trip changed the customer: version %d → %d\nbefore %+v\nafter  %+v", cu.Version, after.Version, cu.Company, after.Company)
			}
		})
	}
}

// TestDecodeEncode checks the definitions without pages: stored → form
// values → service input gives back what is stored.
func TestDecodeEncode(t *testing.T) {
	s := webtest.New(t)
	cu := s.NewCustomer("officer", full)
	up := form.Details.Decode(form.Details.Encode(cu))
	next, err := customer.ApplyDetails(*cu, up, s.Clock().Now())
	if err != nil || !reflect.DeepEqual(next.Company, cu.Company) || next.RiskScore != cu.RiskScore {
		t.Errorf("details: err %v\nstored  %+v\ndecoded %+v", err, cu.Company, next.Company)
	}
	created, _, err := customer.ValidateCreate(form.New.Decode(form.New.Encode(cu)), s.Clock().Now())
	cu2 := cu.Company
	cu2.Associates, cu2.Verification = created.Company.Associates, created.Company.Verification
	if err != nil || !reflect.DeepEqual(created.Company, cu2) {
		t.Errorf("new customer: err %v\nstored  %+v\ndecoded %+v", err, cu2, created.Company)
	}
	var list []customer.AssociateInput
	for i := range cu.Company.Associates {
		list = append(list, form.Associate.Decode(form.Associate.Encode(&cu.Company.Associates[i])))
	}
	got, err := customer.ValidateAssociates(list, s.Clock().Now())
	if err != nil || len(got) != len(cu.Company.Associates) {
		t.Fatalf("associates: %v", err)
	}
	for i := range got {
		want := cu.Company.Associates[i]
		got[i].Person.Reference, got[i].Verification = want.Person.Reference, want.Verification
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("associate %d:\nstored  %+v\ndecoded %+v", i, want, got[i])
		}
		if *list[i].Person.Reference != want.Person.Reference.String() {
			t.Errorf("associate %d: reference %q not kept", i, *list[i].Person.Reference)
		}
	}
}

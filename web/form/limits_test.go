package form_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/validate"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/webtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// rule is what the service enforces on a field, written from the validation
// constants (not from the form definitions, which the test checks).
type rule struct {
	max      int
	required bool
	pattern  string
}

// companyRules are the customer service's rules of the company fields by
// path. Every field of every form must be listed (here or in rowRules): a new
// field without its rule fails the test.
var companyRules = map[string]rule{
	"company.name":                    {max: validate.MaxName, required: true},
	"company.registrationNumber":      {max: validate.MaxRegistrationNumber, required: true},
	"company.website":                 {max: validate.MaxWebsite},
	"company.taxResidenceCountryCode": {required: true},
	"riskScore":                       {required: true},
	"company.description":             {max: validate.MaxDescription},
	"company.address.addressLine1":    {max: validate.MaxAddressLine, required: true},
	"company.address.addressLine2":    {max: validate.MaxAddressLine},
	"company.address.city":            {max: validate.MaxCity, required: true},
	"company.address.postalCode":      {max: validate.MaxPostalCode},
	"company.address.countryCode":     {required: true},
}

// staffRules and keyRules are the auth service's rules of the admin forms.
var staffRules = map[string]rule{
	"name":     {max: validate.MaxName, required: true},
	"email":    {max: validate.MaxEmail, required: true},
	"role":     {required: true},
	"password": {max: auth.MaxPasswordLen, required: true},
}

var keyRules = map[string]rule{
	"name":    {max: validate.MaxName, required: true},
	"owner":   {required: true},
	"role":    {required: true},
	"expires": {required: true},
}

// documentRules are the document service's rules of the upload form.
var documentRules = map[string]rule{
	"person":      {},
	"type":        {required: true},
	"subType":     {},
	"description": {max: document.MaxDescription},
	"file":        {required: true},
}

// rowRules are the service's rules of an associate's fields, by path in the row.
var rowRules = map[string]rule{
	"person.reference":                                  {},
	"person.firstName":                                  {max: validate.MaxPersonName, required: true},
	"person.lastName":                                   {max: validate.MaxPersonName, required: true},
	"person.dateOfBirth":                                {max: validate.MaxDate, pattern: validate.DatePattern},
	"title":                                             {max: validate.MaxTitle},
	"details.contactInfo.emailAddress":                  {max: validate.MaxEmail},
	"details.contactInfo.phoneNumber":                   {max: validate.MaxPhone},
	"details.birthCountryCode":                          {},
	"details.documentInfo.type":                         {},
	"details.documentInfo.number":                       {max: validate.MaxDocumentNumber},
	"details.documentInfo.issuingCountryCode":           {},
	"details.taxIdentification.number":                  {max: validate.MaxTaxNumber},
	"details.taxIdentification.taxResidenceCountryCode": {},
	"riskScore":                                         {},
	"controls.hasOwnership":                             {},
	"controls.hasControl":                               {},
	"controls.isSigner":                                 {},
	"person.address.addressLine1":                       {max: validate.MaxAddressLine},
	"person.address.addressLine2":                       {max: validate.MaxAddressLine},
	"person.address.city":                               {max: validate.MaxCity},
	"person.address.postalCode":                         {max: validate.MaxPostalCode},
	"person.address.countryCode":                        {},
}

// page is one rendered form and where its fields are named.
type page struct {
	name   string
	rules  map[string]rule
	doc    *goquery.Selection // where the form's inputs are
	specs  []form.Spec
	prefix string
}

// TestLimitsInTheHTMLAreTheService walks every form definition, renders its
// page and checks each input's maxlength, required and pattern against the
// service's rules; then it sends one character over every limit and expects
// the service to refuse exactly that, so the numbers cannot drift apart.
func TestLimitsInTheHTMLAreTheService(t *testing.T) {
	s := webtest.New(t)
	cu := s.NewCustomer("officer", "")
	c := s.SignIn("officer")
	admin := s.SignIn("admin")
	ref := "/customers/" + cu.Reference.String()
	pages := []page{
		{"details", companyRules, c.Get(ref + "/details/edit").Want(http.StatusOK).Doc.Selection, form.Details.Specs(), ""},
		{"new customer", companyRules, c.Get("/customers/new").Want(http.StatusOK).Doc.Selection, form.New.Specs(), ""},
		{"associates", rowRules, c.Get(ref + "/associates/edit").Want(http.StatusOK).Doc.Selection, form.Associate.Specs(), form.RowPrefix("0")},
		{"staff", staffRules, admin.Get("/admin/staff").Want(http.StatusOK).Doc.Find(`[data-testid="staff-new-form"]`), form.Staff.Specs(), ""},
		{"API key", keyRules, admin.Get("/admin/api-keys").Want(http.StatusOK).Doc.Find(`[data-testid="apikey-new-form"]`), form.APIKey.Specs(), ""},
		{"document upload", documentRules, c.Get(ref + "/documents/new").Want(http.StatusOK).Doc.Find(`[data-testid="upload-form"]`), form.Document.Specs(), ""},
	}
	for _, p := range pages {
		for _, spec := range p.specs {
			want, ok := p.rules[spec.Path]
			if !ok {
				t.Errorf("%s: %s has no service rule in this test; add it", p.name, spec.Path)
				continue
			}
			el := p.doc.Find(`[name="` + p.prefix + spec.Path + `"]`)
			if el.Length() != 1 {
				t.Errorf("%s: %d inputs named %s", p.name, el.Length(), p.prefix+spec.Path)
				continue
			}
			if got := el.AttrOr("maxlength", "0"); got != strconv.Itoa(want.max) && !(want.max == 0 && got == "0") {
				t.Errorf("%s: %s maxlength %s, the service allows %d", p.name, spec.Path, got, want.max)
			}
			if _, got := el.Attr("required"); got != want.required {
				t.Errorf("%s: %s required=%v, the service: %v", p.name, spec.Path, got, want.required)
			}
			if got := el.AttrOr("pattern", ""); got != want.pattern {
				t.Errorf("%s: %s pattern %q, want %q", p.name, spec.Path, got, want.pattern)
			}
		}
	}

	// The status dialog's reason box (reject asks for one).
	reason := admin.Get(ref + "/status?to=REJECTED").Want(http.StatusOK).Doc.Find(`textarea[name="reason"]`)
	if got := reason.AttrOr("maxlength", ""); got != strconv.Itoa(validate.MaxReason) || form.Reason.MaxLength != validate.MaxReason {
		t.Errorf("status: reason maxlength %s (definition %d), the service allows %d", got, form.Reason.MaxLength, validate.MaxReason)
	}

	// One character over each limit: the service refuses each field by its own limit.
	over := func(specs []form.Spec, rules map[string]rule, prefix string, base map[string]string) (map[string]string, map[string]int) {
		vals := map[string]string{}
		for k, v := range base {
			vals[k] = v
		}
		limits := map[string]int{}
		for _, spec := range specs {
			if m := rules[spec.Path].max; m > 0 && spec.Kind != form.Date {
				vals[prefix+spec.Path] = strings.Repeat("x", m+1)
				limits[prefix+spec.Path] = m
			}
		}
		return vals, limits
	}
	check := func(what string, err error, limits map[string]int) {
		t.Helper()
		fields := fieldErrors(err)
		for path, m := range limits {
			if msgs := fields[path]; len(msgs) == 0 || !strings.Contains(strings.Join(msgs, " "), "at most "+strconv.Itoa(m)+" characters") {
				t.Errorf("%s: %s one over %d: service said %q", what, path, m, msgs)
			}
		}
	}
	vals, limits := over(form.Details.Specs(), companyRules, "", form.Details.Encode(cu))
	_, err := s.Customers.Update(t.Context(), s.Actor("officer"), cu.Reference, form.Details.Decode(vals), nil)
	check("details", err, limits)
	_, _, err = customer.ValidateCreate(form.New.Decode(vals), s.Clock().Now())
	check("new customer", err, limits)
	vals, limits = over(form.Associate.Specs(), rowRules, "", nil)
	in := form.Associate.Decode(vals)
	_, err = customer.ValidateAssociates([]customer.AssociateInput{in}, s.Clock().Now())
	rowLimits := map[string]int{}
	for k, v := range limits {
		rowLimits[form.RowPrefix("0")+k] = v
	}
	check("associate", err, rowLimits)
	vals, limits = over(form.Document.Specs(), documentRules, "", map[string]string{"type": "COMPANY_DOC", "subType": "REGISTER_EXTRACT"})
	meta := form.Document.Decode(vals)
	meta.Name = "extract.pdf"
	sent := false
	_, err = s.Documents.Upload(t.Context(), s.Actor("officer"), cu.Reference, func() (*document.Upload, error) {
		if sent {
			return nil, io.EOF
		}
		sent = true
		return &document.Upload{Meta: meta, Content: strings.NewReader("%PDF-1.4\n")}, nil
	})
	docLimits := map[string]int{}
	for k, v := range limits {
		docLimits["[0]."+k] = v
	}
	check("document upload", err, docLimits)
}

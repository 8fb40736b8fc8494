package associatesview

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/validate"
	"github.com/verity-kyb/verity/views/components"
)

func itoa(n int) string { return strconv.Itoa(n) }

func editURL(c *customer.Customer) string {
	return "/customers/" + c.Reference.String() + "/associates/edit"
}
func saveURL(c *customer.Customer) string {
	return "/customers/" + c.Reference.String() + "/associates"
}

// Paths follow the service's field paths (company.associates[i].person.firstName), so its errors
// land under the right input; rows are numbered by position when the server renders them.
func rowPath(idx string) string     { return "company.associates[" + idx + "]" }
func path(idx, field string) string { return rowPath(idx) + "." + field }
func name(idx, field string) string { return path(idx, field) }
func id(idx, field string) string   { return "a" + idx + "-" + strings.ReplaceAll(field, ".", "-") }
func docText(a customer.Associate) string {
	d := a.Details.DocumentInfo
	return documentLabel(*d.Type) + " " + *d.Number + " (" + *d.IssuingCountryCode + ")"
}

func documentLabel(t string) string {
	for _, o := range documentTypes {
		if o.Value == t {
			return o.Label
		}
	}
	return strings.ReplaceAll(strings.ToLower(t), "_", " ")
}

// missingDocument says in words what approval still needs of an associate's identity document.
func missingDocument(a customer.Associate) string {
	d := a.Details.DocumentInfo
	var lacks []string
	if d.Type == nil {
		lacks = append(lacks, "type")
	}
	if d.Number == nil {
		lacks = append(lacks, "number")
	}
	if d.IssuingCountryCode == nil {
		lacks = append(lacks, "issuing country")
	}
	if len(lacks) == 3 {
		return "Missing"
	}
	return "Incomplete: no " + strings.Join(lacks, ", no ")
}

func nameSuffix(r Row) string {
	n := strings.TrimSpace(r.Values["person.firstName"] + " " + r.Values["person.lastName"])
	if n == "" {
		return ""
	}
	return ": " + n
}

func hasAddress(r Row) bool {
	for _, f := range []string{"addressLine1", "addressLine2", "city", "postalCode", "countryCode"} {
		if r.Values["person.address."+f] != "" {
			return true
		}
	}
	return false
}

func hasAddressErrors(v EditorView, idx string) bool {
	prefix := path(idx, "person.address")
	for k := range v.Errors {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

var documentTypes = []components.Option{
	{Value: "PASSPORT", Label: "Passport"}, {Value: "ID_CARD", Label: "ID card"},
	{Value: "DRIVERS_LICENSE", Label: "Driver's licence"}, {Value: "RESIDENCE_PERMIT", Label: "Residence permit"},
}

func countries() []components.Option {
	out := make([]components.Option, 0, 250)
	for _, c := range validate.CountryCodes() {
		out = append(out, components.Option{Value: c.Code, Label: c.Name})
	}
	return out
}

var fieldLabels = map[string]string{
	"person.firstName": "First name", "person.lastName": "Last name", "person.dateOfBirth": "Date of birth",
	"person.reference": "Reference", "title": "Title", "riskScore": "Risk",
	"details.contactInfo.emailAddress": "E-mail", "details.contactInfo.phoneNumber": "Phone",
	"details.birthCountryCode": "Birth country", "details.documentNumber": "Document number",
	"details.documentInfo.type": "Document type", "details.documentInfo.number": "Document number",
	"details.documentInfo.issuingCountryCode": "Document issued by", "details.documentInfo": "Document",
	"details.taxIdentification.number": "Tax number", "details.taxIdentification.taxResidenceCountryCode": "Tax residence country",
	"person.address.addressLine1": "Address line 1", "person.address.addressLine2": "Address line 2",
	"person.address.city": "City", "person.address.postalCode": "Postal code",
	"person.address.countryCode": "Country", "person.address.country": "Country",
}

var errPath = regexp.MustCompile(`^company\.associates\[(\d+)\](?:\.(.+))?$`)

// fieldOrder is the order of the inputs in a row, so the summary reads like the form.
var fieldOrder = []string{
	"person.reference", "person.firstName", "person.lastName", "person.dateOfBirth", "title",
	"details.contactInfo.emailAddress", "details.contactInfo.phoneNumber", "details.birthCountryCode",
	"details.documentInfo.type", "details.documentInfo.number", "details.documentNumber", "details.documentInfo",
	"details.documentInfo.issuingCountryCode", "details.taxIdentification.number",
	"details.taxIdentification.taxResidenceCountryCode", "riskScore",
	"controls.hasOwnership", "controls.hasControl", "controls.isSigner",
	"person.address.addressLine1", "person.address.addressLine2", "person.address.city",
	"person.address.postalCode", "person.address.countryCode", "person.address.country",
}

// inputFor is the form input an error suffix is shown under, when the form has one.
var inputFor = map[string]string{
	"details.documentNumber": "details.documentInfo.number", "details.documentInfo": "details.documentInfo.number",
	"person.address.country": "person.address.countryCode",
}

// summaryItem is one line of the error summary and the element its link goes to.
type summaryItem struct {
	Text   string
	Target string
	row    int
	order  int
}

// summary says, for each message, which associate and which field it is about,
// with the associate's position as people count (1-based), linked to the input;
// associates in form order, fields in the order of the row.
func summary(v EditorView) []summaryItem {
	var out []summaryItem
	for p, msgs := range v.Errors {
		it := summaryItem{Text: "Associates", Target: "associate-rows", row: -1}
		if m := errPath.FindStringSubmatch(p); m != nil {
			n, _ := strconv.Atoi(m[1])
			it.row, it.order = n, -1
			it.Text = fmt.Sprintf("Associate %d", n+1)
			it.Target = rowID(m[1])
			if f := m[2]; f != "" {
				label, ok := fieldLabels[f]
				if !ok {
					label = f
				}
				it.Text += " — " + label
				it.order = len(fieldOrder)
				if i := slices.Index(fieldOrder, f); i >= 0 {
					it.order = i
				}
				if in, ok := inputFor[f]; ok {
					f = in
				}
				if slices.Contains(fieldOrder, f) && f != "person.reference" {
					it.Target = id(m[1], f)
				}
			}
		}
		for _, msg := range msgs {
			line := it
			line.Text = it.Text + ": " + humanPaths(msg)
			out = append(out, line)
		}
	}
	slices.SortStableFunc(out, func(a, b summaryItem) int {
		if a.row != b.row {
			return a.row - b.row
		}
		if a.order != b.order {
			return a.order - b.order
		}
		return strings.Compare(a.Text, b.Text)
	})
	return out
}

// rowID is the id of a row's fieldset.
func rowID(idx string) string { return "associate-" + idx }

var inlinePath = regexp.MustCompile(`company\.associates\[(\d+)\]`)

// humanPaths rewrites paths inside a message ("… as company.associates[0]") as people say them.
func humanPaths(msg string) string {
	return inlinePath.ReplaceAllStringFunc(msg, func(s string) string {
		n, _ := strconv.Atoi(inlinePath.FindStringSubmatch(s)[1])
		return fmt.Sprintf("associate %d", n+1)
	})
}

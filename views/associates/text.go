package associates

import (
	"fmt"
	"regexp"
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
	return strings.ReplaceAll(strings.ToLower(*d.Type), "_", " ") + " " + *d.Number + " (" + *d.IssuingCountryCode + ")"
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

var riskOptions = []components.Option{{Value: "LOW", Label: "Low"}, {Value: "MEDIUM", Label: "Medium"}, {Value: "HIGH", Label: "High"}}

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

// summary says, for each message, which associate and which field it is about,
// with the associate's position as people count (1-based).
func summary(v EditorView) map[string][]string {
	if len(v.Errors) == 0 {
		return nil
	}
	out := map[string][]string{}
	for p, msgs := range v.Errors {
		label := "Associates"
		if m := errPath.FindStringSubmatch(p); m != nil {
			n, _ := strconv.Atoi(m[1])
			label = fmt.Sprintf("Associate %d", n+1)
			if m[2] != "" {
				f, ok := fieldLabels[m[2]]
				if !ok {
					f = m[2]
				}
				label += " — " + f
			}
		}
		for _, msg := range msgs {
			out[p] = append(out[p], label+": "+humanPaths(msg))
		}
	}
	return out
}

var inlinePath = regexp.MustCompile(`company\.associates\[(\d+)\]`)

// humanPaths rewrites paths inside a message ("… as company.associates[0]") as people say them.
func humanPaths(msg string) string {
	return inlinePath.ReplaceAllStringFunc(msg, func(s string) string {
		n, _ := strconv.Atoi(inlinePath.FindStringSubmatch(s)[1])
		return fmt.Sprintf("associate %d", n+1)
	})
}

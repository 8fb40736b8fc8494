package customerlistview

import (
	"strings"
	"sync"

	"github.com/verity-kyb/verity/internal/validate"
	"github.com/verity-kyb/verity/views/components"
)

// FieldID turns a JSON path such as company.address.city into an element id
// (company-address-city) that needs no escaping in CSS selectors.
func FieldID(path string) string {
	r := strings.NewReplacer(".", "-", "[", "-", "]", "")
	return r.Replace(path)
}

var newLabels = map[string]string{
	"company.name": "Company name", "company.registrationNumber": "Registration number",
	"company.taxResidenceCountryCode": "Tax residence country", "riskScore": "Risk",
	"company.description": "Description", "company.address": "Address",
	"company.address.addressLine1": "Address line 1", "company.address.addressLine2": "Address line 2",
	"company.address.city": "City", "company.address.postalCode": "Postal code",
	"company.address.countryCode": "Country", "company.address.country": "Country",
}

var (
	countryOnce sync.Once
	countryList []components.Option
)

// CountryOptions lists the ISO 3166-1 countries the validation accepts, by
// name, each sending its alpha-2 code (a select is kinder than typing codes).
func CountryOptions() []components.Option {
	countryOnce.Do(func() {
		for _, c := range validate.CountryCodes() {
			countryList = append(countryList, components.Option{Value: c.Code, Label: c.Name + " (" + c.Code + ")"})
		}
	})
	return countryList
}

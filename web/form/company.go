package form

import (
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/validate"
)

// companyField is one company field, declared once for both company forms:
// how it reads from the stored customer, and how it sets the details update
// (edit in place) and the create input (new customer).
type companyField struct {
	Spec
	get    func(*customer.Customer) string
	update func(*customer.DetailsUpdate, string)
	create func(*customer.CreateInput, string)
}

// The groups of the company forms.
const (
	GroupCompany = ""
	GroupAddress = "address"
)

// companyFields are the company's fields in the order both forms show them.
var companyFields = []companyField{
	{Spec: Spec{Path: "company.name", Label: "Company name", Kind: Text, Required: true, MaxLength: validate.MaxName, Autocomplete: "organization"},
		get:    func(c *customer.Customer) string { return c.Company.Name },
		update: func(in *customer.DetailsUpdate, v string) { in.Name = customer.Some(v) },
		create: func(in *customer.CreateInput, v string) { in.Company.Name = &v }},
	{Spec: Spec{Path: "company.registrationNumber", Label: "Registration number", Kind: Text, Required: true, MaxLength: validate.MaxRegistrationNumber},
		get:    func(c *customer.Customer) string { return c.Company.RegistrationNumber },
		update: func(in *customer.DetailsUpdate, v string) { in.RegistrationNumber = customer.Some(v) },
		create: func(in *customer.CreateInput, v string) { in.Company.RegistrationNumber = &v }},
	{Spec: Spec{Path: "company.website", Label: "Website", Kind: URL, MaxLength: validate.MaxWebsite, Autocomplete: "url",
		Placeholder: "https://"},
		get:    func(c *customer.Customer) string { return deref(c.Company.Website) },
		update: func(in *customer.DetailsUpdate, v string) { in.Website = orNull(v) },
		create: func(in *customer.CreateInput, v string) { in.Company.Website = orNil(v) }},
	{Spec: Spec{Path: "company.taxResidenceCountryCode", Label: "Tax residence country", Kind: Country, Required: true, Empty: "Choose a country"},
		get:    func(c *customer.Customer) string { return c.Company.TaxResidenceCountryCode },
		update: func(in *customer.DetailsUpdate, v string) { in.TaxResidenceCountryCode = customer.Some(v) },
		create: func(in *customer.CreateInput, v string) { in.Company.TaxResidenceCountryCode = orNil(v) }},
	{Spec: Spec{Path: "riskScore", Label: "Risk", Kind: Select, Required: true, Choices: RiskChoices, Empty: "Choose a risk level"},
		get:    func(c *customer.Customer) string { return string(c.RiskScore) },
		update: func(in *customer.DetailsUpdate, v string) { in.RiskScore = customer.Some(v) },
		create: func(in *customer.CreateInput, v string) { in.RiskScore = orNil(v) }},
	{Spec: Spec{Path: "company.description", Label: "Description", Kind: Textarea, MaxLength: validate.MaxDescription, Wide: true,
		Hint: "What the company does (optional)."},
		get:    func(c *customer.Customer) string { return deref(c.Company.Description) },
		update: func(in *customer.DetailsUpdate, v string) { in.Description = orNull(v) },
		create: func(in *customer.CreateInput, v string) { in.Company.Description = orNil(v) }},
	{Spec: Spec{Path: "company.address.addressLine1", Label: "Address line 1", Kind: Text, Required: true, MaxLength: validate.MaxAddressLine,
		Autocomplete: "address-line1", Group: GroupAddress},
		get:    func(c *customer.Customer) string { return c.Company.Address.AddressLine1 },
		update: func(in *customer.DetailsUpdate, v string) { addressUpdate(in).AddressLine1 = customer.Some(v) },
		create: func(in *customer.CreateInput, v string) { addressInput(in).AddressLine1 = &v }},
	{Spec: Spec{Path: "company.address.addressLine2", Label: "Address line 2", Kind: Text, MaxLength: validate.MaxAddressLine,
		Autocomplete: "address-line2", Group: GroupAddress},
		get:    func(c *customer.Customer) string { return deref(c.Company.Address.AddressLine2) },
		update: func(in *customer.DetailsUpdate, v string) { addressUpdate(in).AddressLine2 = orNull(v) },
		create: func(in *customer.CreateInput, v string) { addressInput(in).AddressLine2 = orNil(v) }},
	{Spec: Spec{Path: "company.address.city", Label: "City", Kind: Text, Required: true, MaxLength: validate.MaxCity,
		Autocomplete: "address-level2", Group: GroupAddress},
		get:    func(c *customer.Customer) string { return c.Company.Address.City },
		update: func(in *customer.DetailsUpdate, v string) { addressUpdate(in).City = customer.Some(v) },
		create: func(in *customer.CreateInput, v string) { addressInput(in).City = &v }},
	{Spec: Spec{Path: "company.address.postalCode", Label: "Postal code", Kind: Text, MaxLength: validate.MaxPostalCode,
		Autocomplete: "postal-code", Group: GroupAddress},
		get:    func(c *customer.Customer) string { return c.Company.Address.PostalCode },
		update: func(in *customer.DetailsUpdate, v string) { addressUpdate(in).PostalCode = customer.Some(v) },
		create: func(in *customer.CreateInput, v string) { addressInput(in).PostalCode = orNil(v) }},
	{Spec: Spec{Path: "company.address.countryCode", Label: "Country", Kind: Country, Required: true, Empty: "Choose a country",
		Group: GroupAddress, Also: []string{"company.address.country"}},
		get:    func(c *customer.Customer) string { return c.Company.Address.CountryCode },
		update: func(in *customer.DetailsUpdate, v string) { addressUpdate(in).CountryCode = customer.Some(v) },
		create: func(in *customer.CreateInput, v string) { addressInput(in).CountryCode = orNil(v) }},
}

// companyLabels name the company paths the service reports that have no input.
var companyLabels = map[string]string{
	"company.address": "Address", "company.address.country": "Country", "type": "Type", "status": "Status",
	"company.associates": "Associates", "company.verification.url": "Verification link",
	"company.verification.status": "Verification status", "reason": "Reason",
}

// Details is the company details form, edited in place on the customer page.
var Details = func() *Form[customer.Customer, customer.DetailsUpdate] {
	f := &Form[customer.Customer, customer.DetailsUpdate]{labels: companyLabels}
	for _, c := range companyFields {
		f.Fields = append(f.Fields, Field[customer.Customer, customer.DetailsUpdate]{Spec: c.Spec, get: c.get, set: c.update})
	}
	return f
}()

// New is the new-customer form.
var New = func() *Form[customer.Customer, customer.CreateInput] {
	f := &Form[customer.Customer, customer.CreateInput]{labels: companyLabels}
	for _, c := range companyFields {
		f.Fields = append(f.Fields, Field[customer.Customer, customer.CreateInput]{Spec: c.Spec, get: c.get, set: c.create})
	}
	return f
}()

// NewDefaults are the new-customer form's values before anything is typed.
func NewDefaults() Values { return Values{"riskScore": string(customer.RiskMedium)} }

// RiskChoices are the risk scores as a select offers them, in the API's words.
var RiskChoices = []Choice{{Value: "LOW", Label: "Low"}, {Value: "MEDIUM", Label: "Medium"}, {Value: "HIGH", Label: "High"}}

func addressUpdate(in *customer.DetailsUpdate) *customer.AddressUpdate {
	in.Address.Set = true
	return &in.Address.Value
}

func addressInput(in *customer.CreateInput) *customer.AddressInput {
	if in.Company.Address == nil {
		in.Company.Address = &customer.AddressInput{}
	}
	return in.Company.Address
}

// orNull is an optional field of an update: empty clears it.
func orNull(v string) customer.Optional[string] {
	if v == "" {
		return customer.Optional[string]{Set: true, Null: true}
	}
	return customer.Some(v)
}

// orNil is an optional field of an input: empty means none.
func orNil(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

package form

import (
	"strconv"
	"strings"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/validate"
)

// The groups of an associate row.
const (
	GroupPerson      = ""
	GroupRoles       = "roles"
	GroupHomeAddress = "address"
)

type assocField = Field[customer.Associate, customer.AssociateInput]

// Associate is one row of the associates editor; its paths are relative to
// the row (company.associates[2].person.firstName is person.firstName of row 2).
var Associate = &Form[customer.Associate, customer.AssociateInput]{
	Fields: []assocField{
		{Spec: Spec{Path: "person.reference", Label: "Reference", Kind: Hidden},
			get: func(a *customer.Associate) string { return a.Person.Reference.String() },
			set: func(in *customer.AssociateInput, v string) { in.Person.Reference = orNil(v) }},
		{Spec: Spec{Path: "person.firstName", Label: "First name", Kind: Text, Required: true, MaxLength: validate.MaxPersonName},
			get: func(a *customer.Associate) string { return a.Person.FirstName },
			set: func(in *customer.AssociateInput, v string) { in.Person.FirstName = &v }},
		{Spec: Spec{Path: "person.lastName", Label: "Last name", Kind: Text, Required: true, MaxLength: validate.MaxPersonName},
			get: func(a *customer.Associate) string { return a.Person.LastName },
			set: func(in *customer.AssociateInput, v string) { in.Person.LastName = &v }},
		{Spec: Spec{Path: "person.dateOfBirth", Label: "Date of birth", Kind: Date, MaxLength: validate.MaxDate,
			Pattern: validate.DatePattern, Placeholder: "YYYY-MM-DD", Hint: "As YYYY-MM-DD, e.g. 1984-03-21."},
			get: func(a *customer.Associate) string { return deref(a.Person.DateOfBirth) },
			set: func(in *customer.AssociateInput, v string) { in.Person.DateOfBirth = orNil(v) }},
		{Spec: Spec{Path: "title", Label: "Title", Kind: Text, MaxLength: validate.MaxTitle},
			get: func(a *customer.Associate) string { return deref(a.Title) },
			set: func(in *customer.AssociateInput, v string) { in.Title = orNil(v) }},
		{Spec: Spec{Path: "details.contactInfo.emailAddress", Label: "E-mail", Kind: Email, MaxLength: validate.MaxEmail},
			get: func(a *customer.Associate) string { return deref(a.Details.ContactInfo.EmailAddress) },
			set: func(in *customer.AssociateInput, v string) { in.Details.ContactInfo.EmailAddress = orNil(v) }},
		{Spec: Spec{Path: "details.contactInfo.phoneNumber", Label: "Phone", Kind: Tel, MaxLength: validate.MaxPhone},
			get: func(a *customer.Associate) string { return deref(a.Details.ContactInfo.PhoneNumber) },
			set: func(in *customer.AssociateInput, v string) { in.Details.ContactInfo.PhoneNumber = orNil(v) }},
		{Spec: Spec{Path: "details.birthCountryCode", Label: "Birth country", Kind: Country, Empty: "None"},
			get: func(a *customer.Associate) string { return deref(a.Details.BirthCountryCode) },
			set: func(in *customer.AssociateInput, v string) { in.Details.BirthCountryCode = upperOrNil(v) }},
		{Spec: Spec{Path: "details.documentInfo.type", Label: "Document type", Kind: Select, Choices: DocumentChoices, Empty: "None"},
			get: func(a *customer.Associate) string { return deref(a.Details.DocumentInfo.Type) },
			set: func(in *customer.AssociateInput, v string) { in.Details.DocumentInfo.Type = orNil(v) }},
		{Spec: Spec{Path: "details.documentInfo.number", Label: "Document number", Kind: Text, MaxLength: validate.MaxDocumentNumber,
			Also: []string{"details.documentNumber", "details.documentInfo"}},
			get: func(a *customer.Associate) string { return deref(a.Details.DocumentInfo.Number) },
			set: func(in *customer.AssociateInput, v string) { in.Details.DocumentInfo.Number = orNil(v) }},
		{Spec: Spec{Path: "details.documentInfo.issuingCountryCode", Label: "Document issued by", Kind: Country, Empty: "None"},
			get: func(a *customer.Associate) string { return deref(a.Details.DocumentInfo.IssuingCountryCode) },
			set: func(in *customer.AssociateInput, v string) {
				in.Details.DocumentInfo.IssuingCountryCode = upperOrNil(v)
			}},
		{Spec: Spec{Path: "details.taxIdentification.number", Label: "Tax number", Kind: Text, MaxLength: validate.MaxTaxNumber},
			get: func(a *customer.Associate) string { return deref(a.Details.TaxIdentification.Number) },
			set: func(in *customer.AssociateInput, v string) { in.Details.TaxIdentification.Number = orNil(v) }},
		{Spec: Spec{Path: "details.taxIdentification.taxResidenceCountryCode", Label: "Tax residence country", Kind: Country, Empty: "None"},
			get: func(a *customer.Associate) string { return deref(a.Details.TaxIdentification.TaxResidenceCountryCode) },
			set: func(in *customer.AssociateInput, v string) {
				in.Details.TaxIdentification.TaxResidenceCountryCode = upperOrNil(v)
			}},
		{Spec: Spec{Path: "riskScore", Label: "Risk", Kind: Select, Choices: RiskChoices, Empty: "Not assessed"},
			get: func(a *customer.Associate) string {
				if a.RiskScore == nil {
					return ""
				}
				return string(*a.RiskScore)
			},
			set: func(in *customer.AssociateInput, v string) { in.RiskScore = orNil(v) }},
		{Spec: Spec{Path: "controls.hasOwnership", Label: "Owner", Kind: Checkbox, Group: GroupRoles},
			get: func(a *customer.Associate) string { return checked(a.Controls.HasOwnership) },
			set: func(in *customer.AssociateInput, v string) { in.Controls.HasOwnership = isChecked(v) }},
		{Spec: Spec{Path: "controls.hasControl", Label: "Control", Kind: Checkbox, Group: GroupRoles},
			get: func(a *customer.Associate) string { return checked(a.Controls.HasControl) },
			set: func(in *customer.AssociateInput, v string) { in.Controls.HasControl = isChecked(v) }},
		{Spec: Spec{Path: "controls.isSigner", Label: "Signer", Kind: Checkbox, Group: GroupRoles},
			get: func(a *customer.Associate) string { return checked(a.Controls.IsSigner) },
			set: func(in *customer.AssociateInput, v string) { in.Controls.IsSigner = isChecked(v) }},
		{Spec: Spec{Path: "person.address.addressLine1", Label: "Address line 1", Kind: Text, MaxLength: validate.MaxAddressLine, Group: GroupHomeAddress},
			get: func(a *customer.Associate) string { return homeAddress(a).AddressLine1 },
			set: func(in *customer.AssociateInput, v string) {
				setHome(in, v, func(h *customer.AddressInput, p *string) { h.AddressLine1 = p })
			}},
		{Spec: Spec{Path: "person.address.addressLine2", Label: "Address line 2", Kind: Text, MaxLength: validate.MaxAddressLine, Group: GroupHomeAddress},
			get: func(a *customer.Associate) string { return deref(homeAddress(a).AddressLine2) },
			set: func(in *customer.AssociateInput, v string) {
				setHome(in, v, func(h *customer.AddressInput, p *string) { h.AddressLine2 = p })
			}},
		{Spec: Spec{Path: "person.address.city", Label: "City", Kind: Text, MaxLength: validate.MaxCity, Group: GroupHomeAddress},
			get: func(a *customer.Associate) string { return homeAddress(a).City },
			set: func(in *customer.AssociateInput, v string) {
				setHome(in, v, func(h *customer.AddressInput, p *string) { h.City = p })
			}},
		{Spec: Spec{Path: "person.address.postalCode", Label: "Postal code", Kind: Text, MaxLength: validate.MaxPostalCode, Group: GroupHomeAddress},
			get: func(a *customer.Associate) string { return homeAddress(a).PostalCode },
			set: func(in *customer.AssociateInput, v string) {
				setHome(in, v, func(h *customer.AddressInput, p *string) { h.PostalCode = p })
			}},
		{Spec: Spec{Path: "person.address.countryCode", Label: "Country", Kind: Country, Empty: "None", Group: GroupHomeAddress,
			Also: []string{"person.address.country"}},
			get: func(a *customer.Associate) string { return homeAddress(a).CountryCode },
			set: func(in *customer.AssociateInput, v string) {
				setHome(in, strings.ToUpper(v), func(h *customer.AddressInput, p *string) { h.CountryCode = p })
			}},
	},
	labels: map[string]string{
		"details.documentNumber": "Document number", "details.documentInfo": "Document",
		"person.address": "Home address", "person.address.country": "Country",
		"verification.url": "Verification link", "verification.status": "Verification status",
		"position": "Position in the list",
	},
}

// DocumentChoices are the identity document types.
var DocumentChoices = []Choice{
	{Value: "PASSPORT", Label: "Passport"}, {Value: "ID_CARD", Label: "ID card"},
	{Value: "DRIVERS_LICENSE", Label: "Driver's licence"}, {Value: "RESIDENCE_PERMIT", Label: "Residence permit"},
}

// RowPrefix is the path prefix of associate row i: "company.associates[i].".
func RowPrefix(i string) string { return "company.associates[" + i + "]." }

// RowIndex reads the row of a path under company.associates, and the rest of
// the path after it ("" for the row itself).
func RowIndex(path string) (idx, rest string, ok bool) {
	p, found := strings.CutPrefix(path, "company.associates[")
	if !found {
		return "", "", false
	}
	idx, rest, found = strings.Cut(p, "]")
	if !found {
		return "", "", false
	}
	return idx, strings.TrimPrefix(rest, "."), true
}

// RowNumber is a row index as people count (1-based), or -1.
func RowNumber(idx string) int {
	n, err := strconv.Atoi(idx)
	if err != nil {
		return -1
	}
	return n + 1
}

func homeAddress(a *customer.Associate) customer.Address {
	if a.Person.Address == nil {
		return customer.Address{}
	}
	return *a.Person.Address
}

// setHome sets one part of the home address; an address with nothing in it
// is no address.
func setHome(in *customer.AssociateInput, v string, set func(*customer.AddressInput, *string)) {
	if v == "" {
		return
	}
	if in.Person.Address == nil {
		in.Person.Address = &customer.AddressInput{}
	}
	set(in.Person.Address, &v)
}

func upperOrNil(v string) *string { return orNil(strings.ToUpper(v)) }

func checked(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func isChecked(v string) *bool { b := v == "true"; return &b }

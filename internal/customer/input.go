package customer

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Optional is a JSON field that can be absent (leave as is), null (clear) or
// set; it carries the merge semantics of PUT/PATCH.
type Optional[T any] struct {
	Set   bool // the field was present
	Null  bool // it was present and null
	Value T
}

// Some makes a present, non-null Optional (for forms and tests).
func Some[T any](v T) Optional[T] { return Optional[T]{Set: true, Value: v} }

// UnmarshalJSON records presence and null-ness before decoding the value.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // strictness must reach inside optional objects too
	return dec.Decode(&o.Value)
}

// DetailsUpdate changes company details: PUT/PATCH /customers/{reference} and
// the details form. Absent fields stay, null clears an optional field.
type DetailsUpdate struct {
	Name                    Optional[string]        `json:"name"`
	Description             Optional[string]        `json:"description"`
	TaxResidenceCountryCode Optional[string]        `json:"taxResidenceCountryCode"`
	RegistrationNumber      Optional[string]        `json:"registrationNumber"`
	Website                 Optional[string]        `json:"website"`
	RiskScore               Optional[string]        `json:"riskScore"`
	Address                 Optional[AddressUpdate] `json:"address"`
}

// AddressUpdate changes parts of an address.
type AddressUpdate struct {
	AddressLine1 Optional[string] `json:"addressLine1"`
	AddressLine2 Optional[string] `json:"addressLine2"`
	City         Optional[string] `json:"city"`
	PostalCode   Optional[string] `json:"postalCode"`
	CountryCode  Optional[string] `json:"countryCode"`
	Country      Optional[string] `json:"country"`
}

// FieldPath names a body field as validation does: the body holds the
// company's fields at the top level, riskScore is the customer's own.
func (DetailsUpdate) FieldPath(p string) string {
	if p == "" || p == "riskScore" || strings.HasPrefix(p, "riskScore.") || strings.HasPrefix(p, "riskScore[") {
		return p
	}
	return companyPath(p)
}

// companyPath puts a body path under company: a quoted odd key is
// company["…"], any other company.….
func companyPath(p string) string {
	if strings.HasPrefix(p, "[") {
		return "company" + p
	}
	return "company." + p
}

// StatusChange is PUT /customers/{reference}/status and the status dialogs.
type StatusChange struct {
	Status string  `json:"status"`
	Reason *string `json:"reason"`
}

// AssociatesInput is PUT /customers/{reference}/associates.
type AssociatesInput struct {
	Associates *[]AssociateInput `json:"associates"`
}

// FieldPath names a body field as validation does: the list is the
// company's associates (company.associates[0]…).
func (AssociatesInput) FieldPath(p string) string {
	if p == "" {
		return p
	}
	return companyPath(p)
}

// AssociateInput is one associate as sent by a client or the editor form.
// Optional strings are pointers: absent, null and "" all mean "none".
type AssociateInput struct {
	Person       PersonInput        `json:"person"`
	Details      DetailsInput       `json:"details"`
	Title        *string            `json:"title"`
	RiskScore    *string            `json:"riskScore"`
	Controls     ControlsInput      `json:"controls"`
	Verification *VerificationInput `json:"verification"` // read-only: accepted so a GET body round-trips, ignored
}

// VerificationInput is a verification link as a GET returns it; clients may
// send it back unchanged (it is ignored), and import keeps it.
type VerificationInput struct {
	URL    *string `json:"url"`
	Status *string `json:"status"`
}

// PersonInput is the person part of an associate.
type PersonInput struct {
	Reference   *string       `json:"reference"`
	FirstName   *string       `json:"firstName"`
	LastName    *string       `json:"lastName"`
	DateOfBirth *string       `json:"dateOfBirth"`
	Address     *AddressInput `json:"address"`
}

// AddressInput is a whole address as sent on create and for associates.
type AddressInput struct {
	AddressLine1 *string `json:"addressLine1"`
	AddressLine2 *string `json:"addressLine2"`
	City         *string `json:"city"`
	PostalCode   *string `json:"postalCode"`
	CountryCode  *string `json:"countryCode"`
	Country      *string `json:"country"`
}

// DetailsInput is the details part of an associate.
type DetailsInput struct {
	BirthCountryCode  *string                `json:"birthCountryCode"`
	ContactInfo       ContactInfoInput       `json:"contactInfo"`
	DocumentNumber    *string                `json:"documentNumber"`
	DocumentInfo      DocumentInfoInput      `json:"documentInfo"`
	TaxIdentification TaxIdentificationInput `json:"taxIdentification"`
}

// ContactInfoInput is an associate's contact details.
type ContactInfoInput struct {
	EmailAddress *string `json:"emailAddress"`
	PhoneNumber  *string `json:"phoneNumber"`
}

// DocumentInfoInput is an associate's identity document.
type DocumentInfoInput struct {
	Number             *string `json:"number"`
	Type               *string `json:"type"`
	IssuingCountryCode *string `json:"issuingCountryCode"`
}

// TaxIdentificationInput is an associate's tax identification.
type TaxIdentificationInput struct {
	Number                  *string `json:"number"`
	TaxResidenceCountryCode *string `json:"taxResidenceCountryCode"`
}

// ControlsInput are the associate's controls; absent means false.
type ControlsInput struct {
	HasOwnership *bool `json:"hasOwnership"`
	HasControl   *bool `json:"hasControl"`
	IsSigner     *bool `json:"isSigner"`
}

// CreateInput is POST /customers and the new-customer form.
type CreateInput struct {
	Type      *string      `json:"type"`
	RiskScore *string      `json:"riskScore"`
	Company   CompanyInput `json:"company"`
}

// CompanyInput is the company part of a new customer.
type CompanyInput struct {
	Name                    *string            `json:"name"`
	Description             *string            `json:"description"`
	TaxResidenceCountryCode *string            `json:"taxResidenceCountryCode"`
	RegistrationNumber      *string            `json:"registrationNumber"`
	Website                 *string            `json:"website"`
	Address                 *AddressInput      `json:"address"`
	Associates              []AssociateInput   `json:"associates"`
	Verification            *VerificationInput `json:"verification"` // read-only: accepted so a GET body round-trips, ignored
}

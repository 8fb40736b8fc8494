package customerview

import "github.com/verity-kyb/verity/internal/customer"

// pathLabel names a customer-shape path the way the forms label it:
// "company.address.city" → "City", and an associate's field, whether the
// path holds the associate's index or its reference
// ("company.associates[0].details.contactInfo.emailAddress") → "E-mail".
// Every page that names a field by its path asks here, so a label is
// written once; a path without a label is shown as it is.
func pathLabel(path string) string {
	key := path
	if _, field, ok := customer.AssociateOfPath(path); ok {
		key = "company.associates[]"
		if field != "" {
			key += "." + field
		}
	}
	if label, ok := pathLabels[key]; ok {
		return label
	}
	return path
}

// pathLabels are the labels by path, associates' fields under "company.associates[]".
var pathLabels = map[string]string{
	"status": "Status", "riskScore": "Risk", "company.name": "Company name", "company.description": "Description",
	"company.registrationNumber": "Registration number", "company.taxResidenceCountryCode": "Tax residence country",
	"company.address":              "Address",
	"company.address.addressLine1": "Address line 1", "company.address.addressLine2": "Address line 2",
	"company.address.city": "City", "company.address.postalCode": "Postal code",
	"company.address.countryCode": "Country", "company.address.country": "Country name",
	"company.verification.status": "Verification status", "company.verification.url": "Verification link",
	"company.associates":                                                     "Associates",
	"company.associates[]":                                                   "Associate",
	"company.associates[].person.firstName":                                  "First name",
	"company.associates[].person.lastName":                                   "Last name",
	"company.associates[].person.dateOfBirth":                                "Date of birth",
	"company.associates[].person.address.addressLine1":                       "Home address line 1",
	"company.associates[].person.address.addressLine2":                       "Home address line 2",
	"company.associates[].person.address.city":                               "Home city",
	"company.associates[].person.address.postalCode":                         "Home postal code",
	"company.associates[].person.address.countryCode":                        "Home country",
	"company.associates[].person.address.country":                            "Home country name",
	"company.associates[].details.birthCountryCode":                          "Birth country",
	"company.associates[].details.contactInfo.emailAddress":                  "E-mail",
	"company.associates[].details.contactInfo.phoneNumber":                   "Phone",
	"company.associates[].details.documentNumber":                            "Document number",
	"company.associates[].details.documentInfo":                              "Identity document",
	"company.associates[].details.documentInfo.type":                         "Document type",
	"company.associates[].details.documentInfo.number":                       "Document number",
	"company.associates[].details.documentInfo.issuingCountryCode":           "Document issued by",
	"company.associates[].details.taxIdentification.number":                  "Tax number",
	"company.associates[].details.taxIdentification.taxResidenceCountryCode": "Tax residence country",
	"company.associates[].title":                                             "Title",
	"company.associates[].riskScore":                                         "Risk",
	"company.associates[].controls.hasOwnership":                             "Owner",
	"company.associates[].controls.hasControl":                               "Control",
	"company.associates[].controls.isSigner":                                 "Signer",
	"company.associates[].verification.status":                               "Verification status",
	"company.associates[].verification.url":                                  "Verification link",
	"company.associates[].position":                                          "Position",
}

package customer

// flatView is the audit diff's view of a customer (diffViewOf) already
// flattened to its leaf paths, built field by field: turning the customer
// into JSON and back to compare it was a good part of a write's CPU time.
// It must list exactly what audit.Diff reads from diffViewOf
// (TestChangesMatchTheFullComparison holds the two together).
func flatView(c *Customer, company, associates bool) map[string]any {
	v := make(map[string]any, 32)
	v["status"] = string(c.Status)
	v["riskScore"] = string(c.RiskScore)
	if !company {
		return v
	}
	co := &c.Company
	v["company.name"] = co.Name
	putString(v, "company.description", co.Description)
	v["company.taxResidenceCountryCode"] = co.TaxResidenceCountryCode
	v["company.registrationNumber"] = co.RegistrationNumber
	putString(v, "company.website", co.Website)
	putAddress(v, "company.address.", &co.Address)
	v["company.verification.url"] = co.Verification.URL
	v["company.verification.status"] = co.Verification.Status
	if associates {
		for i := range co.Associates {
			putAssociate(v, "company.associates["+co.Associates[i].Person.Reference.String()+"].", &co.Associates[i], i)
		}
	}
	return v
}

// putAssociate is associateView flattened under prefix.
func putAssociate(v map[string]any, prefix string, a *Associate, position int) {
	v[prefix+"person.firstName"] = a.Person.FirstName
	v[prefix+"person.lastName"] = a.Person.LastName
	putString(v, prefix+"person.dateOfBirth", a.Person.DateOfBirth)
	if a.Person.Address != nil {
		putAddress(v, prefix+"person.address.", a.Person.Address)
	}
	d := &a.Details
	putString(v, prefix+"details.birthCountryCode", d.BirthCountryCode)
	putString(v, prefix+"details.contactInfo.emailAddress", d.ContactInfo.EmailAddress)
	putString(v, prefix+"details.contactInfo.phoneNumber", d.ContactInfo.PhoneNumber)
	putString(v, prefix+"details.documentInfo.number", d.DocumentInfo.Number)
	putString(v, prefix+"details.documentInfo.type", d.DocumentInfo.Type)
	putString(v, prefix+"details.documentInfo.issuingCountryCode", d.DocumentInfo.IssuingCountryCode)
	putString(v, prefix+"details.taxIdentification.number", d.TaxIdentification.Number)
	putString(v, prefix+"details.taxIdentification.taxResidenceCountryCode", d.TaxIdentification.TaxResidenceCountryCode)
	putString(v, prefix+"title", a.Title)
	if a.RiskScore != nil {
		v[prefix+"riskScore"] = string(*a.RiskScore)
	}
	v[prefix+"controls.hasOwnership"] = a.Controls.HasOwnership
	v[prefix+"controls.hasControl"] = a.Controls.HasControl
	v[prefix+"controls.isSigner"] = a.Controls.IsSigner
	v[prefix+"verification.url"] = a.Verification.URL
	v[prefix+"verification.status"] = a.Verification.Status
	v[prefix+"position"] = position
}

func putAddress(v map[string]any, prefix string, a *Address) {
	v[prefix+"addressLine1"] = a.AddressLine1
	putString(v, prefix+"addressLine2", a.AddressLine2)
	v[prefix+"city"] = a.City
	v[prefix+"postalCode"] = a.PostalCode
	v[prefix+"countryCode"] = a.CountryCode
	v[prefix+"country"] = a.Country
}

// putString sets an optional text; null is left out, as audit.Diff does.
func putString(v map[string]any, path string, s *string) {
	if s != nil {
		v[path] = *s
	}
}

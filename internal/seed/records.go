package seed

import (
	"time"

	"github.com/verity-kyb/verity/internal/customer"
)

// Records returns a source of n generated customers as import records,
// the same customers Generate writes as JSON Lines (so `verity seed` skips
// encoding and decoding the text); it answers nil after the last one.
func Records(seed int64, n int) (func() *customer.ImportRecord, error) {
	return records(seed, n, time.Now())
}

func records(seed int64, n int, now time.Time) (func() *customer.ImportRecord, error) {
	g, err := newGenerator(seed, now)
	if err != nil {
		return nil, err
	}
	made := 0
	return func() *customer.ImportRecord {
		if made == n {
			return nil
		}
		made++
		c := g.customer()
		return importRecord(&c)
	}, nil
}

// importRecord is c as `verity import` decodes its JSON line.
func importRecord(c *customer.Customer) *customer.ImportRecord {
	str := func(s string) *string { return &s }
	at := func(t time.Time) *time.Time { t = t.UTC(); return &t }
	verification := func(v customer.Verification) *customer.VerificationInput {
		return &customer.VerificationInput{URL: str(v.URL), Status: str(v.Status)}
	}
	address := func(a *customer.Address) *customer.AddressInput {
		return &customer.AddressInput{AddressLine1: str(a.AddressLine1), AddressLine2: a.AddressLine2, City: str(a.City),
			PostalCode: str(a.PostalCode), CountryCode: str(a.CountryCode), Country: str(a.Country)}
	}
	co := &c.Company
	rec := &customer.ImportRecord{Reference: str(c.Reference.String()), Status: str(string(c.Status)),
		CreatedAt: at(c.CreatedAt), UpdatedAt: at(c.UpdatedAt), StatusSince: at(c.StatusSince),
		CreateInput: customer.CreateInput{Type: str(c.Type), RiskScore: str(string(c.RiskScore)),
			Company: customer.CompanyInput{Name: str(co.Name), Description: co.Description,
				TaxResidenceCountryCode: str(co.TaxResidenceCountryCode), RegistrationNumber: str(co.RegistrationNumber),
				Website: co.Website, Address: address(&co.Address), Verification: verification(co.Verification)}}}
	if co.Associates != nil {
		rec.Company.Associates = make([]customer.AssociateInput, len(co.Associates))
	}
	for i := range co.Associates {
		a := &co.Associates[i]
		d := &a.Details
		in := customer.AssociateInput{
			Person: customer.PersonInput{Reference: str(a.Person.Reference.String()), FirstName: str(a.Person.FirstName),
				LastName: str(a.Person.LastName), DateOfBirth: a.Person.DateOfBirth},
			Details: customer.DetailsInput{BirthCountryCode: d.BirthCountryCode,
				ContactInfo:    customer.ContactInfoInput{EmailAddress: d.ContactInfo.EmailAddress, PhoneNumber: d.ContactInfo.PhoneNumber},
				DocumentNumber: d.DocumentNumber,
				DocumentInfo: customer.DocumentInfoInput{Number: d.DocumentInfo.Number, Type: d.DocumentInfo.Type,
					IssuingCountryCode: d.DocumentInfo.IssuingCountryCode},
				TaxIdentification: customer.TaxIdentificationInput{Number: d.TaxIdentification.Number,
					TaxResidenceCountryCode: d.TaxIdentification.TaxResidenceCountryCode}},
			Title:        a.Title,
			Controls:     customer.ControlsInput{HasOwnership: &a.Controls.HasOwnership, HasControl: &a.Controls.HasControl, IsSigner: &a.Controls.IsSigner},
			Verification: verification(a.Verification),
		}
		if a.Person.Address != nil {
			in.Person.Address = address(a.Person.Address)
		}
		if a.RiskScore != nil {
			in.RiskScore = str(string(*a.RiskScore))
		}
		rec.Company.Associates[i] = in
	}
	return rec
}

package customer

import (
	"fmt"
	"strings"
	"time"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/validate"
)

// MinAssociateAge is the youngest an associate may be, in years.
const MinAssociateAge = 16

// MaxAssociates bounds one customer's list of associates.
const MaxAssociates = 50

// checker gathers field errors while turning input into domain values; every
// rule of design.md's "Validation" is applied through it, for UI and API alike.
type checker struct {
	errs  apperr.FieldErrors
	today time.Time
}

func newChecker(now time.Time) *checker {
	return &checker{errs: apperr.FieldErrors{}, today: now.UTC()}
}

func (c *checker) err() error { return apperr.Invalid(c.errs) }

// text checks a single-line string field; an optional one that is blank
// (white space or invisible characters only) becomes nil.
func (c *checker) text(path string, p *string, max int, required bool) *string {
	return c.check(path, p, max, required, validate.Text)
}

// multiline is text for a textarea field (description): line breaks are
// kept, \r\n stored as \n.
func (c *checker) multiline(path string, p *string, max int, required bool) *string {
	if p != nil {
		v := validate.NormalizeLines(*p)
		p = &v
	}
	return c.check(path, p, max, required, validate.MultilineText)
}

func (c *checker) check(path string, p *string, max int, required bool, rule func(string, int, bool) string) *string {
	if p == nil || validate.Blank(*p) {
		if required {
			msg := "is required"
			if p != nil {
				msg = validate.BlankMessage(*p)
			}
			c.errs.Add(path, msg)
		}
		return nil
	}
	v := strings.TrimSpace(*p)
	if msg := rule(v, max, required); msg != "" {
		c.errs.Add(path, msg)
		return nil
	}
	return &v
}

// required is text for a mandatory field, returning "" on error.
func (c *checker) required(path string, p *string, max int) string {
	if v := c.text(path, p, max, true); v != nil {
		return *v
	}
	return ""
}

func (c *checker) country(path string, p *string, required bool) *string {
	v := c.text(path, p, 2+10, required)
	if v == nil {
		return nil
	}
	if msg := validate.CountryCode(*v); msg != "" {
		c.errs.Add(path, msg)
		return nil
	}
	return v
}

// website checks an optional http or https address of the company.
func (c *checker) website(path string, p *string) *string {
	v := c.text(path, p, validate.MaxWebsite, false)
	if v == nil {
		return nil
	}
	if msg := validate.URL(*v); msg != "" {
		c.errs.Add(path, msg)
		return nil
	}
	return v
}

func (c *checker) risk(path string, p *string, required bool) *RiskScore {
	v := c.text(path, p, 16, required)
	if v == nil {
		return nil
	}
	if msg := validate.RiskScore(*v); msg != "" {
		c.errs.Add(path, msg)
		return nil
	}
	r := RiskScore(*v)
	return &r
}

// address checks a whole address; country is derived from the code and a
// country name sent alongside must agree with it.
func (c *checker) address(path string, in *AddressInput) Address {
	var a Address
	a.AddressLine1 = c.required(path+".addressLine1", in.AddressLine1, validate.MaxAddressLine)
	a.AddressLine2 = c.text(path+".addressLine2", in.AddressLine2, validate.MaxAddressLine, false)
	a.City = c.required(path+".city", in.City, validate.MaxCity)
	if pc := c.text(path+".postalCode", in.PostalCode, validate.MaxPostalCode, false); pc != nil {
		a.PostalCode = *pc
	}
	if code := c.country(path+".countryCode", in.CountryCode, true); code != nil {
		a.CountryCode = *code
		a.Country, _ = validate.CountryName(*code)
		if in.Country != nil && !validate.Blank(*in.Country) && !validate.MatchCountryName(*code, strings.TrimSpace(*in.Country)) {
			c.errs.Add(path+".country", fmt.Sprintf("does not match countryCode %s (%s)", *code, a.Country))
		}
	}
	return a
}

// ReasonText checks a status reason: several lines allowed (\r\n stored as
// \n), blank or invisible-only means none.
func ReasonText(p *string) (string, error) {
	c := newChecker(time.Time{})
	v := c.multiline("reason", p, validate.MaxReason, false)
	if v == nil {
		return "", c.err()
	}
	return *v, c.err()
}

// ApplyDetails returns cur with the update merged in, or the field errors.
// Present fields are set, absent ones kept, null clears optional fields.
func ApplyDetails(cur Customer, up DetailsUpdate, now time.Time) (Customer, error) {
	c := newChecker(now)
	next := cur
	if up.Name.Set {
		next.Company.Name = c.required("company.name", nullable(up.Name), validate.MaxName)
	}
	if up.Description.Set {
		next.Company.Description = c.multiline("company.description", nullable(up.Description), validate.MaxDescription, false)
	}
	if up.RegistrationNumber.Set {
		next.Company.RegistrationNumber = c.required("company.registrationNumber", nullable(up.RegistrationNumber), validate.MaxRegistrationNumber)
	}
	if up.Website.Set {
		next.Company.Website = c.website("company.website", nullable(up.Website))
	}
	if up.TaxResidenceCountryCode.Set {
		if v := c.country("company.taxResidenceCountryCode", nullable(up.TaxResidenceCountryCode), true); v != nil {
			next.Company.TaxResidenceCountryCode = *v
		}
	}
	if up.RiskScore.Set {
		if v := c.risk("riskScore", nullable(up.RiskScore), true); v != nil {
			next.RiskScore = *v
		}
	}
	if up.Address.Set {
		if up.Address.Null {
			c.errs.Add("company.address", "is required and cannot be cleared")
		} else {
			next.Company.Address = c.mergeAddress("company.address", cur.Company.Address, up.Address.Value)
		}
	}
	return next, c.err()
}

// mergeAddress applies a partial address update over the stored address.
func (c *checker) mergeAddress(path string, cur Address, up AddressUpdate) Address {
	in := AddressInput{
		AddressLine1: &cur.AddressLine1, AddressLine2: cur.AddressLine2, City: &cur.City,
		PostalCode: &cur.PostalCode, CountryCode: &cur.CountryCode,
	}
	pick := func(dst **string, o Optional[string]) {
		if o.Set {
			*dst = nullable(o)
		}
	}
	pick(&in.AddressLine1, up.AddressLine1)
	pick(&in.AddressLine2, up.AddressLine2)
	pick(&in.City, up.City)
	pick(&in.PostalCode, up.PostalCode)
	pick(&in.CountryCode, up.CountryCode)
	pick(&in.Country, up.Country)
	if up.Country.Set && !up.CountryCode.Set && !up.Country.Null {
		// a country name alone must agree with the stored code
		in.CountryCode = &cur.CountryCode
	}
	if up.Country.Set && up.Country.Null {
		c.errs.Add(path+".country", "is derived from countryCode and cannot be cleared")
	}
	return c.address(path, &in)
}

// nullable turns an Optional into the pointer form the checks read.
func nullable(o Optional[string]) *string {
	if o.Null {
		return nil
	}
	return &o.Value
}

// ValidateCreate turns a new-customer request into a customer ready to store.
func ValidateCreate(in CreateInput, now time.Time) (Customer, []AssociateInput, error) {
	c := newChecker(now)
	var cu Customer
	cu.Type = TypeCompany
	cu.Status = StatusPending
	if in.Type != nil && *in.Type != TypeCompany {
		c.errs.Add("type", "must be COMPANY")
	}
	if r := c.risk("riskScore", in.RiskScore, true); r != nil {
		cu.RiskScore = *r
	}
	co := in.Company
	cu.Company.Name = c.required("company.name", co.Name, validate.MaxName)
	cu.Company.Description = c.multiline("company.description", co.Description, validate.MaxDescription, false)
	cu.Company.RegistrationNumber = c.required("company.registrationNumber", co.RegistrationNumber, validate.MaxRegistrationNumber)
	cu.Company.Website = c.website("company.website", co.Website)
	if v := c.country("company.taxResidenceCountryCode", co.TaxResidenceCountryCode, true); v != nil {
		cu.Company.TaxResidenceCountryCode = *v
	}
	if co.Address == nil {
		c.errs.Add("company.address", "is required")
	} else {
		cu.Company.Address = c.address("company.address", co.Address)
	}
	cu.Company.Associates = c.associates(co.Associates)
	return cu, co.Associates, c.err()
}

// ValidateAssociates checks a list of associates as sent; references are not
// resolved here (the service matches them against the stored list).
func ValidateAssociates(list []AssociateInput, now time.Time) ([]Associate, error) {
	c := newChecker(now)
	out := c.associates(list)
	return out, c.err()
}

func (c *checker) associates(list []AssociateInput) []Associate {
	if len(list) > MaxAssociates {
		c.errs.Add("company.associates", fmt.Sprintf("must have at most %d associates", MaxAssociates))
		return nil
	}
	out := make([]Associate, len(list))
	for i := range list {
		out[i] = c.associate(fmt.Sprintf("company.associates[%d]", i), &list[i])
	}
	c.duplicates(out)
	return out
}

func (c *checker) associate(path string, in *AssociateInput) Associate {
	var a Associate
	p := in.Person
	a.Person.FirstName = c.required(path+".person.firstName", p.FirstName, validate.MaxPersonName)
	a.Person.LastName = c.required(path+".person.lastName", p.LastName, validate.MaxPersonName)
	if d := c.text(path+".person.dateOfBirth", p.DateOfBirth, validate.MaxDate, false); d != nil {
		if _, msg := validate.AdultDate(*d, c.today, MinAssociateAge); msg != "" {
			c.errs.Add(path+".person.dateOfBirth", msg)
		} else {
			a.Person.DateOfBirth = d
		}
	}
	if p.Address != nil && !addressEmpty(p.Address) {
		addr := c.address(path+".person.address", p.Address)
		a.Person.Address = &addr
	}
	d := in.Details
	a.Details.BirthCountryCode = c.country(path+".details.birthCountryCode", d.BirthCountryCode, false)
	if e := c.text(path+".details.contactInfo.emailAddress", d.ContactInfo.EmailAddress, validate.MaxEmail, false); e != nil {
		if msg := validate.Email(*e); msg != "" {
			c.errs.Add(path+".details.contactInfo.emailAddress", msg)
		} else {
			a.Details.ContactInfo.EmailAddress = e
		}
	}
	if ph := c.text(path+".details.contactInfo.phoneNumber", d.ContactInfo.PhoneNumber, validate.MaxPhone, false); ph != nil {
		if norm, msg := validate.NormalizePhone(*ph); msg != "" {
			c.errs.Add(path+".details.contactInfo.phoneNumber", msg)
		} else {
			a.Details.ContactInfo.PhoneNumber = &norm
		}
	}
	c.document(path+".details", d, &a)
	a.Details.TaxIdentification.Number = c.text(path+".details.taxIdentification.number", d.TaxIdentification.Number, validate.MaxTaxNumber, false)
	a.Details.TaxIdentification.TaxResidenceCountryCode = c.country(path+".details.taxIdentification.taxResidenceCountryCode", d.TaxIdentification.TaxResidenceCountryCode, false)
	if (a.Details.TaxIdentification.Number == nil) != (a.Details.TaxIdentification.TaxResidenceCountryCode == nil) &&
		!c.errs.Has(path+".details.taxIdentification.number") && !c.errs.Has(path+".details.taxIdentification.taxResidenceCountryCode") {
		if a.Details.TaxIdentification.Number == nil {
			c.errs.Add(path+".details.taxIdentification.number", "is required when a tax residence country is given")
		} else {
			c.errs.Add(path+".details.taxIdentification.taxResidenceCountryCode", "is required when a tax number is given")
		}
	}
	a.Title = c.text(path+".title", in.Title, validate.MaxTitle, false)
	a.RiskScore = c.risk(path+".riskScore", in.RiskScore, false)
	a.Controls = Controls{
		HasOwnership: in.Controls.HasOwnership != nil && *in.Controls.HasOwnership,
		HasControl:   in.Controls.HasControl != nil && *in.Controls.HasControl,
		IsSigner:     in.Controls.IsSigner != nil && *in.Controls.IsSigner,
	}
	return a
}

// document checks the identity document; the legacy top-level documentNumber
// mirrors documentInfo.number and must agree with it when both are sent.
func (c *checker) document(path string, d DetailsInput, a *Associate) {
	num := c.text(path+".documentInfo.number", d.DocumentInfo.Number, validate.MaxDocumentNumber, false)
	legacy := c.text(path+".documentNumber", d.DocumentNumber, validate.MaxDocumentNumber, false)
	switch {
	case num == nil && legacy != nil:
		num = legacy
	case num != nil && legacy != nil && *num != *legacy:
		c.errs.Add(path+".documentNumber", "must match documentInfo.number")
	}
	a.Details.DocumentInfo.Number = num
	a.Details.DocumentNumber = num
	if t := c.text(path+".documentInfo.type", d.DocumentInfo.Type, 32, false); t != nil {
		if canon, msg := validate.DocumentType(*t); msg != "" {
			c.errs.Add(path+".documentInfo.type", msg)
		} else {
			a.Details.DocumentInfo.Type = &canon
		}
	}
	a.Details.DocumentInfo.IssuingCountryCode = c.country(path+".documentInfo.issuingCountryCode", d.DocumentInfo.IssuingCountryCode, false)
}

// duplicates refuses two entries sharing an e-mail or identity document,
// naming both entries.
func (c *checker) duplicates(list []Associate) {
	emails := map[string]int{}
	docs := map[string]int{}
	for i := range list {
		a := &list[i]
		if e := a.Details.ContactInfo.EmailAddress; e != nil {
			k := validate.EmailKey(*e)
			if j, ok := emails[k]; ok {
				c.sameAs(i, j, ".details.contactInfo.emailAddress", "e-mail address")
			} else {
				emails[k] = i
			}
		}
		if k, ok := documentKey(a); ok {
			if j, seen := docs[k]; seen {
				c.sameAs(i, j, ".details.documentInfo.number", "identity document")
			} else {
				docs[k] = i
			}
		}
	}
}

func (c *checker) sameAs(i, j int, suffix, what string) {
	pi := fmt.Sprintf("company.associates[%d]", i)
	pj := fmt.Sprintf("company.associates[%d]", j)
	// Both entries are named by their paths; each message says the other
	// one as people count the list (associate 1 is company.associates[0]).
	c.errs.Add(pi+suffix, fmt.Sprintf("has the same %s as associate %d", what, j+1))
	c.errs.Add(pj+suffix, fmt.Sprintf("has the same %s as associate %d", what, i+1))
}

// documentKey identifies a complete identity document.
func documentKey(a *Associate) (string, bool) {
	d := a.Details.DocumentInfo
	if d.Number == nil || d.Type == nil || d.IssuingCountryCode == nil {
		return "", false
	}
	return *d.Type + "|" + strings.ToUpper(*d.Number) + "|" + *d.IssuingCountryCode, true
}

// taxKey identifies a tax identification.
func taxKey(a *Associate) (string, bool) {
	t := a.Details.TaxIdentification
	if t.Number == nil || t.TaxResidenceCountryCode == nil {
		return "", false
	}
	return strings.ToUpper(*t.Number) + "|" + *t.TaxResidenceCountryCode, true
}

func addressEmpty(a *AddressInput) bool {
	for _, p := range []*string{a.AddressLine1, a.AddressLine2, a.City, a.PostalCode, a.CountryCode, a.Country} {
		if p != nil && !validate.Blank(*p) {
			return false
		}
	}
	return true
}

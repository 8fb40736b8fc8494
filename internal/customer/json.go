package customer

import (
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/jsonx"
)

// AppendJSON appends j exactly as encoding/json marshals it (json.Marshal(j):
// the same fields, order, nulls and escaping), without reflection: the API
// writes 20 customers with their associates per list page, and reflection
// was a third of the server's time there. TestAppendJSONMatchesMarshal holds
// the two byte for byte; a field added to the shape must be added here too.
func (j JSON) AppendJSON(b []byte) []byte {
	if j.Customer == nil { // an embedded nil pointer contributes no fields
		b = append(b, `{"requiredActions":`...)
		return append(appendProblems(b, j.RequiredActions), '}')
	}
	c := j.Customer
	b = append(b, `{"reference":`...)
	b = appendUUID(b, c.Reference)
	b = append(b, `,"status":`...)
	b = jsonx.AppendString(b, string(c.Status))
	b = append(b, `,"type":`...)
	b = jsonx.AppendString(b, c.Type)
	b = append(b, `,"riskScore":`...)
	b = jsonx.AppendString(b, string(c.RiskScore))
	b = append(b, `,"company":`...)
	if j.company != nil {
		b = append(b, j.company...)
	} else {
		b = appendCompany(b, &c.Company)
	}
	b = append(b, `,"createdAt":`...)
	b = appendTime(b, c.CreatedAt)
	b = append(b, `,"updatedAt":`...)
	b = appendTime(b, c.UpdatedAt)
	b = append(b, `,"assignee":`...)
	if a := c.Assignee; a == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, a.ID, 10)
		b = append(b, `,"email":`...)
		b = jsonx.AppendString(b, a.Email)
		b = append(b, `,"name":`...)
		b = jsonx.AppendString(b, a.Name)
		b = append(b, '}')
	}
	b = append(b, `,"statusSince":`...)
	b = appendTime(b, c.StatusSince)
	b = append(b, `,"reviewRequired":`...)
	b = strconv.AppendBool(b, c.ReviewRequired)
	b = append(b, `,"requiredActions":`...)
	b = appendProblems(b, j.RequiredActions)
	return append(b, '}')
}

func appendCompany(b []byte, co *Company) []byte {
	b = append(b, `{"name":`...)
	b = jsonx.AppendString(b, co.Name)
	b = append(b, `,"description":`...)
	b = appendOptString(b, co.Description)
	b = append(b, `,"taxResidenceCountryCode":`...)
	b = jsonx.AppendString(b, co.TaxResidenceCountryCode)
	b = append(b, `,"registrationNumber":`...)
	b = jsonx.AppendString(b, co.RegistrationNumber)
	if co.Website != nil { // omitempty: a nil pointer is left out
		b = append(b, `,"website":`...)
		b = jsonx.AppendString(b, *co.Website)
	}
	b = append(b, `,"address":`...)
	b = appendAddress(b, &co.Address)
	b = append(b, `,"associates":`...)
	if co.Associates == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range co.Associates {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAssociate(b, &co.Associates[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"verification":`...)
	b = appendVerification(b, co.Verification)
	return append(b, '}')
}

func appendAddress(b []byte, a *Address) []byte {
	b = append(b, `{"addressLine1":`...)
	b = jsonx.AppendString(b, a.AddressLine1)
	b = append(b, `,"addressLine2":`...)
	b = appendOptString(b, a.AddressLine2)
	b = append(b, `,"city":`...)
	b = jsonx.AppendString(b, a.City)
	b = append(b, `,"postalCode":`...)
	b = jsonx.AppendString(b, a.PostalCode)
	b = append(b, `,"countryCode":`...)
	b = jsonx.AppendString(b, a.CountryCode)
	b = append(b, `,"country":`...)
	b = jsonx.AppendString(b, a.Country)
	return append(b, '}')
}

func appendVerification(b []byte, v Verification) []byte {
	b = append(b, `{"url":`...)
	b = jsonx.AppendString(b, v.URL)
	b = append(b, `,"status":`...)
	b = jsonx.AppendString(b, v.Status)
	return append(b, '}')
}

func appendAssociate(b []byte, a *Associate) []byte {
	p := &a.Person
	b = append(b, `{"person":{"reference":`...)
	b = appendUUID(b, p.Reference)
	b = append(b, `,"firstName":`...)
	b = jsonx.AppendString(b, p.FirstName)
	b = append(b, `,"lastName":`...)
	b = jsonx.AppendString(b, p.LastName)
	b = append(b, `,"dateOfBirth":`...)
	b = appendOptString(b, p.DateOfBirth)
	b = append(b, `,"address":`...)
	if p.Address == nil {
		b = append(b, "null"...)
	} else {
		b = appendAddress(b, p.Address)
	}
	d := &a.Details
	b = append(b, `},"details":{"birthCountryCode":`...)
	b = appendOptString(b, d.BirthCountryCode)
	b = append(b, `,"contactInfo":{"emailAddress":`...)
	b = appendOptString(b, d.ContactInfo.EmailAddress)
	b = append(b, `,"phoneNumber":`...)
	b = appendOptString(b, d.ContactInfo.PhoneNumber)
	b = append(b, `},"documentNumber":`...)
	b = appendOptString(b, d.DocumentNumber)
	b = append(b, `,"documentInfo":{"number":`...)
	b = appendOptString(b, d.DocumentInfo.Number)
	b = append(b, `,"type":`...)
	b = appendOptString(b, d.DocumentInfo.Type)
	b = append(b, `,"issuingCountryCode":`...)
	b = appendOptString(b, d.DocumentInfo.IssuingCountryCode)
	b = append(b, `},"taxIdentification":{"number":`...)
	b = appendOptString(b, d.TaxIdentification.Number)
	b = append(b, `,"taxResidenceCountryCode":`...)
	b = appendOptString(b, d.TaxIdentification.TaxResidenceCountryCode)
	b = append(b, `}},"title":`...)
	b = appendOptString(b, a.Title)
	b = append(b, `,"riskScore":`...)
	if a.RiskScore == nil {
		b = append(b, "null"...)
	} else {
		b = jsonx.AppendString(b, string(*a.RiskScore))
	}
	b = append(b, `,"controls":{"hasOwnership":`...)
	b = strconv.AppendBool(b, a.Controls.HasOwnership)
	b = append(b, `,"hasControl":`...)
	b = strconv.AppendBool(b, a.Controls.HasControl)
	b = append(b, `,"isSigner":`...)
	b = strconv.AppendBool(b, a.Controls.IsSigner)
	b = append(b, `},"verification":`...)
	b = appendVerification(b, a.Verification)
	return append(b, '}')
}

func appendProblems(b []byte, ps []Problem) []byte {
	if ps == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = jsonx.AppendString(b, ps[i].Code)
		b = append(b, `,"path":`...)
		b = jsonx.AppendString(b, ps[i].Path)
		b = append(b, `,"message":`...)
		b = jsonx.AppendString(b, ps[i].Message)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendOptString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return jsonx.AppendString(b, *s)
}

// appendTime writes t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds, quoted); a year MarshalJSON refuses cannot be stored.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendUUID writes u as its MarshalText does, quoted.
func appendUUID(b []byte, u uuid.UUID) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[x>>4], hex[x&0x0f])
	}
	return append(b, '"')
}

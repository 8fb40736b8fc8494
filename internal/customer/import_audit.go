package customer

import (
	"bytes"
	"slices"
	"sort"
	"strconv"

	"github.com/verity-kyb/verity/internal/jsonx"
)

// A new customer's audit entry (create and import) lists every field the
// customer sets, as audit.Diff(diffView(&Customer{}), diffView(c)) does:
// sorted by path, old null (or "" for the texts an empty customer has as
// ""), texts left empty left out. creationJSON writes that list straight as
// audit.AppendChanges would, from two fixed tables of leaves in path order,
// without building the flat views, their maps and paths: it was a third of
// a bulk load's Go time. TestCreationJSON holds it to the full comparison.

// leaf is one field of the entry: its path (after the associate's prefix
// for an associate's field) and its value; kind 0 means absent (null).
type leaf struct {
	path     string
	emptyOld bool // an empty customer has "" here: old is "", and "" is no change
	get      func(c *Customer, a *Associate, pos int) (kind byte, s string, b bool)
}

const (
	kindStr  = 's'
	kindBool = 'b'
	kindInt  = 'i' // the position, in s
)

func textLeaf(s string) (byte, string, bool) { return kindStr, s, false }

func optLeaf(p *string) (byte, string, bool) {
	if p == nil {
		return 0, "", false
	}
	return kindStr, *p, false
}

func boolLeaf(v bool) (byte, string, bool) { return kindBool, "", v }

// associatesMark is where the associates' leaves sort among the company's.
const associatesMark = "company.associates["

// companyLeaves and associateLeaves, sorted by path at start-up.
var companyLeaves = sortLeaves([]leaf{
	{"status", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) { return textLeaf(string(c.Status)) }},
	{"riskScore", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) { return textLeaf(string(c.RiskScore)) }},
	{"company.name", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) { return textLeaf(c.Company.Name) }},
	{"company.description", false, func(c *Customer, _ *Associate, _ int) (byte, string, bool) { return optLeaf(c.Company.Description) }},
	{"company.taxResidenceCountryCode", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) {
		return textLeaf(c.Company.TaxResidenceCountryCode)
	}},
	{"company.registrationNumber", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) {
		return textLeaf(c.Company.RegistrationNumber)
	}},
	{"company.website", false, func(c *Customer, _ *Associate, _ int) (byte, string, bool) { return optLeaf(c.Company.Website) }},
	{"company.address.addressLine1", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) {
		return textLeaf(c.Company.Address.AddressLine1)
	}},
	{"company.address.addressLine2", false, func(c *Customer, _ *Associate, _ int) (byte, string, bool) {
		return optLeaf(c.Company.Address.AddressLine2)
	}},
	{"company.address.city", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) { return textLeaf(c.Company.Address.City) }},
	{"company.address.postalCode", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) {
		return textLeaf(c.Company.Address.PostalCode)
	}},
	{"company.address.countryCode", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) {
		return textLeaf(c.Company.Address.CountryCode)
	}},
	{"company.address.country", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) {
		return textLeaf(c.Company.Address.Country)
	}},
	{"company.verification.url", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) {
		return textLeaf(c.Company.Verification.URL)
	}},
	{"company.verification.status", true, func(c *Customer, _ *Associate, _ int) (byte, string, bool) {
		return textLeaf(c.Company.Verification.Status)
	}},
	{associatesMark, false, nil},
})

// personAddress reads a field of the associate's address, absent without one.
func personAddress(a *Associate, f func(*Address) (byte, string, bool)) (byte, string, bool) {
	if a.Person.Address == nil {
		return 0, "", false
	}
	return f(a.Person.Address)
}

var associateLeaves = sortLeaves([]leaf{
	{"person.firstName", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) { return textLeaf(a.Person.FirstName) }},
	{"person.lastName", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) { return textLeaf(a.Person.LastName) }},
	{"person.dateOfBirth", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) { return optLeaf(a.Person.DateOfBirth) }},
	{"person.address.addressLine1", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return personAddress(a, func(ad *Address) (byte, string, bool) { return textLeaf(ad.AddressLine1) })
	}},
	{"person.address.addressLine2", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return personAddress(a, func(ad *Address) (byte, string, bool) { return optLeaf(ad.AddressLine2) })
	}},
	{"person.address.city", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return personAddress(a, func(ad *Address) (byte, string, bool) { return textLeaf(ad.City) })
	}},
	{"person.address.postalCode", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return personAddress(a, func(ad *Address) (byte, string, bool) { return textLeaf(ad.PostalCode) })
	}},
	{"person.address.countryCode", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return personAddress(a, func(ad *Address) (byte, string, bool) { return textLeaf(ad.CountryCode) })
	}},
	{"person.address.country", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return personAddress(a, func(ad *Address) (byte, string, bool) { return textLeaf(ad.Country) })
	}},
	{"details.birthCountryCode", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return optLeaf(a.Details.BirthCountryCode)
	}},
	{"details.contactInfo.emailAddress", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return optLeaf(a.Details.ContactInfo.EmailAddress)
	}},
	{"details.contactInfo.phoneNumber", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return optLeaf(a.Details.ContactInfo.PhoneNumber)
	}},
	{"details.documentInfo.number", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return optLeaf(a.Details.DocumentInfo.Number)
	}},
	{"details.documentInfo.type", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return optLeaf(a.Details.DocumentInfo.Type)
	}},
	{"details.documentInfo.issuingCountryCode", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return optLeaf(a.Details.DocumentInfo.IssuingCountryCode)
	}},
	{"details.taxIdentification.number", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return optLeaf(a.Details.TaxIdentification.Number)
	}},
	{"details.taxIdentification.taxResidenceCountryCode", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		return optLeaf(a.Details.TaxIdentification.TaxResidenceCountryCode)
	}},
	{"title", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) { return optLeaf(a.Title) }},
	{"riskScore", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) {
		if a.RiskScore == nil {
			return 0, "", false
		}
		return textLeaf(string(*a.RiskScore))
	}},
	{"controls.hasOwnership", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) { return boolLeaf(a.Controls.HasOwnership) }},
	{"controls.hasControl", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) { return boolLeaf(a.Controls.HasControl) }},
	{"controls.isSigner", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) { return boolLeaf(a.Controls.IsSigner) }},
	{"verification.url", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) { return textLeaf(a.Verification.URL) }},
	{"verification.status", false, func(_ *Customer, a *Associate, _ int) (byte, string, bool) { return textLeaf(a.Verification.Status) }},
	{"position", false, func(_ *Customer, _ *Associate, pos int) (byte, string, bool) {
		return kindInt, strconv.Itoa(pos), false
	}},
})

func sortLeaves(ls []leaf) []leaf {
	sort.Slice(ls, func(i, j int) bool { return ls[i].path < ls[j].path })
	return ls
}

// creationJSON appends the changes of c's creation entry as JSON.
func creationJSON(b []byte, c *Customer) []byte {
	b = append(b, '[')
	first := true
	for _, l := range companyLeaves {
		if l.get == nil {
			b = appendAssociateLeaves(b, c, &first)
			continue
		}
		kind, s, v := l.get(c, nil, 0)
		if kind == 0 || (l.emptyOld && s == "") {
			continue
		}
		b = appendLeaf(b, &first, nil, l.path, l.emptyOld, kind, s, v)
	}
	return append(b, ']')
}

// appendAssociateLeaves writes every associate's leaves, associates in
// the order of their references' text.
func appendAssociateLeaves(b []byte, c *Customer, first *bool) []byte {
	as := c.Company.Associates
	order := make([]int, len(as))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return bytes.Compare(as[i].Person.Reference[:], as[j].Person.Reference[:])
	})
	var buf [64]byte
	for _, i := range order {
		prefix := append(buf[:0], associatesMark...)
		prefix = append(prefix, as[i].Person.Reference.String()...)
		prefix = append(prefix, "]."...)
		for _, l := range associateLeaves {
			if kind, s, v := l.get(c, &as[i], i); kind != 0 {
				b = appendLeaf(b, first, prefix, l.path, false, kind, s, v)
			}
		}
	}
	return b
}

// appendLeaf writes one change as audit.AppendChanges writes it.
// Paths are plain ASCII (field names, a reference's hex), copied unquoted.
func appendLeaf(b []byte, first *bool, prefix []byte, path string, emptyOld bool, kind byte, s string, v bool) []byte {
	if !*first {
		b = append(b, ',')
	}
	*first = false
	b = append(b, `{"path":"`...)
	b = append(b, prefix...)
	b = append(b, path...)
	b = append(b, '"')
	if emptyOld {
		b = append(b, `,"old":"","new":`...)
	} else {
		b = append(b, `,"old":null,"new":`...)
	}
	switch kind {
	case kindStr:
		b = jsonx.AppendString(b, s)
	case kindBool:
		b = strconv.AppendBool(b, v)
	default:
		b = append(b, s...)
	}
	return append(b, '}')
}

package customer

import (
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/audit"
)

// changes leaves equal parts out of the comparison; the trail it writes must
// be exactly the one the full comparison gives.
func TestChangesMatchTheFullComparison(t *testing.T) {
	str := func(s string) *string { return &s }
	risk := func(r RiskScore) *RiskScore { return &r }
	// full is an associate with every field set, so each one is compared
	full := func() Associate {
		return Associate{
			Person: Person{Reference: uuid.MustParse("911685b0-0000-4000-8000-000000000003"), FirstName: "Zoë", LastName: "de <Boer>",
				DateOfBirth: str("1976-08-15"), Address: &Address{AddressLine1: "Stationsweg 1", AddressLine2: str("Floor 2"),
					City: "Utrecht", PostalCode: "3525 FX", CountryCode: "NL", Country: "Netherlands"}},
			Details: Details{BirthCountryCode: str("NL"), ContactInfo: ContactInfo{EmailAddress: str("zoe@boer.test"), PhoneNumber: str("+316")},
				DocumentNumber: str("IT65"), DocumentInfo: DocumentInfo{Number: str("IT65"), Type: str("PASSPORT"), IssuingCountryCode: str("NL")},
				TaxIdentification: TaxIdentification{Number: str("NL62"), TaxResidenceCountryCode: str("NL")}},
			Title: str("Director & co"), RiskScore: risk(RiskMedium), Controls: Controls{HasOwnership: true, IsSigner: true},
			Verification: Verification{URL: "https://verify.test/z", Status: "pending"},
		}
	}
	base := func() *Customer {
		return &Customer{Status: StatusPending, RiskScore: RiskLow, Company: Company{
			Name: "Bond Holdings", Description: str("Original"), TaxResidenceCountryCode: "US", RegistrationNumber: "21-4532998",
			Address:      Address{AddressLine1: "1 Main St", City: "New York", PostalCode: "10001", CountryCode: "US", Country: "United States"},
			Verification: Verification{URL: "https://verify.test/a", Status: "infoRequired"},
			Associates: []Associate{{
				Person:  Person{Reference: uuid.MustParse("911685b0-0000-4000-8000-000000000001"), FirstName: "Sean", LastName: "Bond"},
				Details: Details{ContactInfo: ContactInfo{EmailAddress: str("sean@bond.test")}},
				Title:   str("CEO"), Controls: Controls{HasControl: true},
			}, full()},
		}}
	}
	edits := map[string]func(c *Customer){
		"nothing":     func(c *Customer) {},
		"status":      func(c *Customer) { c.Status = StatusVerified },
		"name":        func(c *Customer) { c.Company.Name = "Fresh" },
		"description": func(c *Customer) { c.Company.Description = nil },
		"address":     func(c *Customer) { c.Company.Address.AddressLine2 = str("Unit 4") },
		"associate":   func(c *Customer) { c.Company.Associates[0].Title = str("CFO") },
		"added": func(c *Customer) {
			c.Company.Associates = append(c.Company.Associates, Associate{
				Person: Person{Reference: uuid.MustParse("911685b0-0000-4000-8000-000000000002"), FirstName: "Ada", LastName: "Bond"}})
		},
		"removed": func(c *Customer) { c.Company.Associates = nil },
		"website": func(c *Customer) { c.Company.Website = str("") },
		"reordered": func(c *Customer) {
			c.Company.Associates[0], c.Company.Associates[1] = c.Company.Associates[1], c.Company.Associates[0]
		},
		"associate cleared": func(c *Customer) {
			a := &c.Company.Associates[1]
			a.Person.DateOfBirth, a.Person.Address, a.Details = nil, nil, Details{}
			a.Title, a.RiskScore, a.Controls, a.Verification = nil, nil, Controls{}, Verification{}
		},
		"associate edited": func(c *Customer) {
			a := &c.Company.Associates[1]
			a.Person.FirstName, a.Person.Address.AddressLine2, a.Details.DocumentInfo.Type = "Zoe", nil, str("ID_CARD")
			a.Details.TaxIdentification.Number, a.RiskScore, a.Controls.HasControl = nil, risk(RiskHigh), true
		},
		"company cleared": func(c *Customer) {
			c.Company.Description, c.Company.Address = nil, Address{}
			c.Company.Verification, c.Company.Name = Verification{}, ""
		},
		"everything": func(c *Customer) {
			c.Status, c.RiskScore, c.Company.Address.City = StatusRejected, RiskHigh, "Boston"
			c.Company.Associates[0].Controls.IsSigner = true
		},
	}
	for name, edit := range edits {
		cur, next := base(), base()
		edit(next)
		want := audit.Diff(diffView(cur), diffView(next))
		if got := changes(cur, next); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
}

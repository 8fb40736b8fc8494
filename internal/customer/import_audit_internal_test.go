package customer

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/audit"
)

// creationChanges is the creation entry as the full comparison lists it.
func creationChanges(c *Customer) []audit.Change {
	return audit.DiffFlat(flatView(&Customer{}, true, true), flatView(c, true, true))
}

// A new customer's audit entry (create and import) lists exactly what the
// full comparison with an empty customer lists: every field set, the empty
// ones ("" where the empty customer has "") left out.
func TestCreationChangesMatchTheFullComparison(t *testing.T) {
	str := func(s string) *string { return &s }
	risk := RiskHigh
	full := &Customer{Status: StatusVerified, RiskScore: RiskMedium, Company: Company{
		Name: "Bond <Holdings> & co", Description: str("Zoë"), TaxResidenceCountryCode: "US", RegistrationNumber: "21-4532998",
		Website: str(""), Address: Address{AddressLine1: "1 Main St", AddressLine2: str("Unit 4"), City: "New York", PostalCode: "10001",
			CountryCode: "US", Country: "United States"},
		Verification: Verification{URL: "https://verify.test/a", Status: "infoRequired"},
		Associates: []Associate{{
			Person: Person{Reference: uuid.MustParse("911685b0-0000-4000-8000-000000000001"), FirstName: "Sean", LastName: "Bond",
				DateOfBirth: str("1976-08-15"), Address: &Address{AddressLine1: "Stationsweg 1", City: "Utrecht", PostalCode: "3525 FX",
					CountryCode: "NL", Country: "Netherlands"}},
			Details: Details{BirthCountryCode: str("NL"), ContactInfo: ContactInfo{EmailAddress: str("zoe@boer.test"), PhoneNumber: str("+316")},
				DocumentNumber: str("IT65"), DocumentInfo: DocumentInfo{Number: str("IT65"), Type: str("PASSPORT"), IssuingCountryCode: str("NL")},
				TaxIdentification: TaxIdentification{Number: str("NL62"), TaxResidenceCountryCode: str("NL")}},
			Title: str("CEO"), RiskScore: &risk, Controls: Controls{HasOwnership: true, IsSigner: true},
			Verification: Verification{URL: "https://verify.test/z", Status: "pending"},
		}, {
			Person: Person{Reference: uuid.MustParse("911685b0-0000-4000-8000-000000000002"), FirstName: "Ada"},
		}},
	}}
	sparse := &Customer{Status: StatusPending, Company: Company{Name: "Only a name"}}
	reversed := *full
	reversed.Company.Associates = []Associate{full.Company.Associates[1], full.Company.Associates[0],
		{Person: Person{Reference: uuid.MustParse("011685b0-0000-4000-8000-00000000000a"), LastName: "\u2028 <"}}}
	for name, c := range map[string]*Customer{"full": full, "sparse": sparse, "empty": {}, "reversed": &reversed} {
		want := audit.Diff(diffView(&Customer{}), diffView(c))
		if got := creationChanges(c); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
		if got, want := string(creationJSON(nil, c)), string(audit.AppendChanges(nil, want)); got != want {
			t.Errorf("%s: creationJSON\n got %s\nwant %s", name, got, want)
		}
	}
}

func FuzzCreationJSON(f *testing.F) {
	f.Add("Acme", "", "Zoë <&>", true)
	f.Add("", "x", "\xff\u2028", false)
	f.Fuzz(func(t *testing.T, name, city, first string, signer bool) {
		if !utf8.ValidString(name) || !utf8.ValidString(city) || !utf8.ValidString(first) {
			t.Skip("validated input is UTF-8") // diffView's JSON round trip would turn it into U+FFFD first
		}
		c := &Customer{Status: StatusPending, RiskScore: RiskLow, Company: Company{Name: name, Description: &city,
			Address: Address{City: city, AddressLine2: &name},
			Associates: []Associate{
				{Person: Person{Reference: uuid.MustParse("911685b0-0000-4000-8000-000000000002"), FirstName: first,
					Address: &Address{Country: city}}, Controls: Controls{IsSigner: signer}, Title: &first},
				{Person: Person{Reference: uuid.MustParse("911685b0-0000-4000-8000-000000000001"), LastName: name}},
			}}}
		want := audit.AppendChanges(nil, audit.Diff(diffView(&Customer{}), diffView(c)))
		if got := creationJSON(nil, c); string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

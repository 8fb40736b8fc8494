package customer

import (
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/audit"
)

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
	for name, c := range map[string]*Customer{"full": full, "sparse": sparse, "empty": {}} {
		want := audit.Diff(diffView(&Customer{}), diffView(c))
		if got := creationChanges(c); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
}

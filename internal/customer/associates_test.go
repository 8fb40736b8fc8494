package customer_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

// seedAssociatesBody is the seed page's PUT …/associates request.
const seedAssociatesBody = `{"associates": [{
  "person": {"firstName": "Updated First Name", "lastName": "Updated Last Name", "dateOfBirth": "2001-01-31",
    "address": {"addressLine1": "Updated Address Line 1", "addressLine2": "Updated Address Line 2", "city": "Updated City",
      "postalCode": "Updated Postal Code", "countryCode": "US", "country": "United States"}},
  "details": {"birthCountryCode": "US", "contactInfo": {"emailAddress": "updated.email@example.com", "phoneNumber": "+123456789"},
    "documentNumber": "123456789", "documentInfo": {"number": "123456789", "type": "DRIVERS_LICENSE", "issuingCountryCode": "US"},
    "taxIdentification": {"number": "914764628", "taxResidenceCountryCode": "US"}},
  "title": "Updated Title", "riskScore": "LOW", "controls": {"hasOwnership": true, "hasControl": true, "isSigner": false}}]}`

func person(first, last, email, extra string) string {
	return `{"person": {"firstName": "` + first + `", "lastName": "` + last + `"` + extra + `},
	  "details": {"contactInfo": {"emailAddress": "` + email + `"}}}`
}

func (e *env) replace(c *customer.Customer, body string) (*customer.Customer, error) {
	return e.svc.ReplaceAssociates(e.ctx, officer, c.Reference, decode[customer.AssociatesInput](e.t, body), nil)
}

func TestReplaceAssociatesMatching(t *testing.T) {
	e := newEnv(t)
	c := e.create(admin2, seedInput)
	sean := c.Company.Associates[0]

	t.Run("OK_SeedKeepsReferenceByDocument", func(t *testing.T) {
		got, err := e.replace(c, seedAssociatesBody)
		if err != nil {
			t.Fatal(err)
		}
		a := got.Company.Associates[0]
		if a.Person.Reference != sean.Person.Reference || a.Verification != sean.Verification {
			t.Fatalf("matched associate must keep reference and verification: %+v", a)
		}
		if a.Person.FirstName != "Updated First Name" || *a.Title != "Updated Title" {
			t.Fatalf("fields not updated: %+v", a)
		}
	})
	t.Run("OK_MatchByReference", func(t *testing.T) {
		got, err := e.replace(c, `{"associates": [{"person": {"reference": "`+sean.Person.Reference.String()+`", "firstName": "Sean", "lastName": "Bond"}}]}`)
		if err != nil || got.Company.Associates[0].Person.Reference != sean.Person.Reference {
			t.Fatalf("%v", err)
		}
		if got.Company.Associates[0].Details.DocumentInfo.Number != nil {
			t.Fatal("PUT replaces: fields left out are cleared")
		}
	})
	t.Run("OK_MatchByEmailCaseInsensitive", func(t *testing.T) {
		if _, err := e.replace(c, `{"associates": [`+person("Sean", "Bond", "sean@example.com", `, "reference": "`+sean.Person.Reference.String()+`"`)+`]}`); err != nil {
			t.Fatal(err)
		}
		got, err := e.replace(c, `{"associates": [`+person("Sean", "Bond", "SEAN@example.com", "")+`]}`)
		if err != nil || got.Company.Associates[0].Person.Reference != sean.Person.Reference {
			t.Fatalf("%v", err)
		}
	})
	t.Run("OK_MatchByTaxIdentification", func(t *testing.T) {
		body := `{"associates": [{"person": {"reference": "` + sean.Person.Reference.String() + `", "firstName": "Sean", "lastName": "Bond"},
		  "details": {"taxIdentification": {"number": "TAX-1", "taxResidenceCountryCode": "GB"}}}]}`
		if _, err := e.replace(c, body); err != nil {
			t.Fatal(err)
		}
		got, err := e.replace(c, `{"associates": [{"person": {"firstName": "S.", "lastName": "Bond"},
		  "details": {"taxIdentification": {"number": "TAX-1", "taxResidenceCountryCode": "GB"}}}]}`)
		if err != nil || got.Company.Associates[0].Person.Reference != sean.Person.Reference {
			t.Fatalf("%v", err)
		}
	})
	t.Run("OK_NewRemovedAndOrder", func(t *testing.T) {
		got, err := e.replace(c, `{"associates": [`+person("New", "Person", "new@example.com", "")+`,`+
			person("Other", "Person", "other@example.com", "")+`]}`)
		if err != nil {
			t.Fatal(err)
		}
		list := got.Company.Associates
		if len(list) != 2 || list[0].Person.FirstName != "New" || list[1].Person.FirstName != "Other" {
			t.Fatalf("order: %+v", list)
		}
		for _, a := range list {
			if a.Person.Reference == sean.Person.Reference || a.Verification.Status != "infoRequired" || !strings.HasPrefix(a.Verification.URL, verifyBase) {
				t.Fatalf("new associate must get a fresh reference and verification: %+v", a)
			}
		}
		if n := e.count(`SELECT count(*) FROM associates WHERE reference = $1`, sean.Person.Reference); n != 0 {
			t.Fatal("the left-out associate must be removed")
		}
		h, _ := e.svc.History(e.ctx, viewer, c.Reference, 0, 1)
		removed := false
		for _, ch := range h[0].Changes {
			if strings.Contains(ch.Path, sean.Person.Reference.String()) && ch.New == nil {
				removed = true
			}
		}
		if !removed {
			t.Fatalf("history must keep the removed associate: %+v", h[0].Changes)
		}
		// reordering keeps references
		again, err := e.replace(c, `{"associates": [`+person("Other", "Person", "other@example.com", "")+`,`+
			person("New", "Person", "new@example.com", "")+`]}`)
		if err != nil || again.Company.Associates[0].Person.Reference != list[1].Person.Reference {
			t.Fatalf("reorder: %v", err)
		}
	})
	t.Run("ErrForeignReference", func(t *testing.T) {
		other := e.create(admin2, strings.Replace(seedInput, "Sean.Bond@disney.com", "x@y.com", 1))
		_, err := e.replace(c, `{"associates": [{"person": {"reference": "`+other.Company.Associates[0].Person.Reference.String()+`", "firstName": "A", "lastName": "B"}}]}`)
		if len(fieldErrors(t, err)["company.associates[0].person.reference"]) == 0 {
			t.Fatal("a reference of another customer's associate must be refused")
		}
		_, err = e.replace(c, `{"associates": [{"person": {"reference": "`+uuid.NewString()+`", "firstName": "A", "lastName": "B"}}]}`)
		fieldErrors(t, err)
	})
	t.Run("ErrTwoEntriesMatchOneAssociate", func(t *testing.T) {
		cur := e.get(c)
		ref := cur.Company.Associates[0].Person.Reference.String()
		email := *cur.Company.Associates[0].Details.ContactInfo.EmailAddress
		_, err := e.replace(c, `{"associates": [{"person": {"reference": "`+ref+`", "firstName": "A", "lastName": "B"}},`+
			person("C", "D", email, "")+`]}`)
		errs := fieldErrors(t, err)
		if len(errs["company.associates[0]"]) == 0 || len(errs["company.associates[1]"]) == 0 {
			t.Fatalf("both entries must be named: %v", errs)
		}
	})
	t.Run("ErrMissingList", func(t *testing.T) {
		_, err := e.replace(c, `{}`)
		fieldErrors(t, err)
	})
	t.Run("ErrStaleStoresNothing", func(t *testing.T) {
		cur := e.get(c)
		_, err := e.svc.ReplaceAssociates(e.ctx, officer, c.Reference, decode[customer.AssociatesInput](t, `{"associates": []}`), customer.Versions{cur.Version - 1})
		wantKind(t, err, apperr.ErrStale, "")
		if len(e.get(c).Company.Associates) != len(cur.Company.Associates) {
			t.Fatal("stale write changed associates")
		}
	})
}

// TestConcurrentUpdates: many writers at once, none lost, each audited, and
// writers holding a stale version get 412.
func TestConcurrentUpdates(t *testing.T) {
	e := newEnv(t)
	c := e.create(officer, seedInput)
	const writers = 24
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := `{"description": "writer ` + string(rune('A'+i)) + `"}`
			if _, err := e.svc.Update(e.ctx, officer, c.Reference, decode[customer.DetailsUpdate](t, body), nil); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := e.get(c)
	if got.Version != 1+writers {
		t.Fatalf("want version %d, got %d: updates were lost", 1+writers, got.Version)
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE customer_id = $1 AND action = 'customer.update'`, got.ID); n != writers {
		t.Fatalf("want %d audit entries, got %d", writers, n)
	}

	// all writers start from the same version: exactly one wins
	start := got.Version
	var ok, stale int
	var mu sync.Mutex
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := `{"description": "racer ` + string(rune('a'+i)) + `"}`
			_, err := e.svc.Update(e.ctx, officer, c.Reference, decode[customer.DetailsUpdate](t, body), customer.Versions{start})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case apperr.KindOf(err) == apperr.KindStale:
				stale++
			default:
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if ok != 1 || stale != writers-1 {
		t.Fatalf("want 1 winner and %d stale, got %d and %d", writers-1, ok, stale)
	}
}

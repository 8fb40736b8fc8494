package customer_test

import (
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

// TestIsMaterial is the re-review rule as a table: which audited paths of a
// VERIFIED customer raise review required.
func TestIsMaterial(t *testing.T) {
	const a = "company.associates[911685b0-0000-4000-8000-000000000001]."
	cases := map[string]bool{
		"company.name":                                          true,
		"company.registrationNumber":                            true,
		"company.taxResidenceCountryCode":                       true,
		"company.address.addressLine1":                          true,
		"company.address.addressLine2":                          true,
		"company.address.city":                                  true,
		"company.address.postalCode":                            true,
		"company.address.countryCode":                           true,
		a + "person.firstName":                                  true,
		a + "person.lastName":                                   true,
		a + "person.dateOfBirth":                                true,
		a + "details.birthCountryCode":                          true,
		a + "details.documentInfo.number":                       true,
		a + "details.documentInfo.type":                         true,
		a + "details.documentInfo.issuingCountryCode":           true,
		a + "details.taxIdentification.number":                  true,
		a + "details.taxIdentification.taxResidenceCountryCode": true,
		a + "controls.hasControl":                               true,
		a + "controls.hasOwnership":                             true,
		a + "controls.isSigner":                                 true,
		"company.description":                                   false,
		"company.website":                                       false,
		"riskScore":                                             false,
		"status":                                                false,
		"company.verification.url":                              false,
		a + "details.contactInfo.emailAddress":                  false,
		a + "details.contactInfo.phoneNumber":                   false,
		a + "person.address.city":                               false,
		a + "title":                                             false,
		a + "riskScore":                                         false,
		a + "position":                                          false,
		a + "verification.url":                                  false,
	}
	for path, want := range cases {
		if got := customer.IsMaterial(path); got != want {
			t.Errorf("IsMaterial(%q) = %v, want %v", path, got, want)
		}
	}
}

// verified makes a VERIFIED customer: created by admin, approved by admin2.
func (e *env) verified() *customer.Customer {
	e.t.Helper()
	c := e.create(admin, seedInput)
	got, err := e.svc.SetStatus(e.ctx, admin2, c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

func (e *env) update(a access.Actor, c *customer.Customer, body string) *customer.Customer {
	e.t.Helper()
	got, err := e.svc.Update(e.ctx, a, c.Reference, decode[customer.DetailsUpdate](e.t, body), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

func TestReviewRequired(t *testing.T) {
	e := newEnv(t)
	t.Run("OK_NonMaterialEditKeepsItSettled", func(t *testing.T) {
		c := e.verified()
		got := e.update(officer, c, `{"description": "New words", "website": "https://bond.example", "riskScore": "HIGH"}`)
		if got.ReviewRequired || e.get(c).ReviewRequired || len(customer.RequiredActions(got)) != 0 {
			t.Fatalf("a non-material edit raised review: %+v", got.ReviewChanges)
		}
	})
	t.Run("OK_PendingEditIsNoReview", func(t *testing.T) {
		c := e.create(admin, seedInput)
		if got := e.update(officer, c, `{"name": "Other"}`); got.ReviewRequired {
			t.Fatal("a PENDING customer has nothing to re-review")
		}
	})
	t.Run("OK_MaterialEditFlagsAndAccumulates", func(t *testing.T) {
		c := e.verified()
		got := e.update(officer, c, `{"name": "Bond Group"}`)
		if got.Status != customer.StatusVerified || !got.ReviewRequired || got.Version != c.Version+1 {
			t.Fatalf("status %s flag %v version %d→%d", got.Status, got.ReviewRequired, c.Version, got.Version)
		}
		// stored with the edit itself: the row at the edit's version has it
		if n := e.count(`SELECT count(*) FROM customers WHERE reference = $1 AND review_required AND version = $2
			AND review_changes @> '[{"path": "company.name"}]'`, c.Reference, got.Version); n != 1 {
			t.Fatal("flag not stored with the edit")
		}
		e.update(officer, c, `{"name": "Bond Group II", "registrationNumber": "99-1"}`)
		got = e.get(c)
		if len(got.ReviewChanges) != 2 || got.ReviewChanges[0].Path != "company.name" ||
			got.ReviewChanges[0].Old != "Bond Holdings" || got.ReviewChanges[0].New != "Bond Group II" ||
			got.ReviewChanges[1].Path != "company.registrationNumber" {
			t.Fatalf("changes since approval: %+v", got.ReviewChanges)
		}
		acts := customer.RequiredActions(got)
		if len(acts) != 1 || acts[0].Code != customer.ProblemReviewRequired {
			t.Fatalf("required actions: %+v", acts)
		}
		// the latest material change is the officer's; admin confirms
		if !e.svc.CanConfirmReview(admin, got) || e.svc.CanConfirmReview(officer, got) {
			t.Fatal("only deciders confirm")
		}
		_, err := e.svc.ConfirmReview(e.ctx, officer, c.Reference, "looked", nil, true)
		wantKind(t, err, apperr.ErrForbidden, "")
		_, err = e.svc.ConfirmReview(e.ctx, admin, c.Reference, "", nil, true)
		if f := fieldErrors(t, err); len(f["reason"]) == 0 {
			t.Fatal("the pages require a reason")
		}
		_, err = e.svc.ConfirmReview(e.ctx, admin, c.Reference, "checked", customer.Versions{got.Version - 1}, true)
		wantKind(t, err, apperr.ErrStale, "")
		done, err := e.svc.ConfirmReview(e.ctx, admin, c.Reference, "Registry extract checked", customer.Versions{got.Version}, true)
		if err != nil || done.ReviewRequired || done.Status != customer.StatusVerified || done.Version != got.Version+1 {
			t.Fatalf("confirm: %v %+v", err, done)
		}
		if e.get(c).ReviewRequired || len(e.get(c).ReviewChanges) != 0 {
			t.Fatal("flag not cleared")
		}
		if n := e.count(`SELECT count(*) FROM audit_entries a JOIN customers c ON c.id = a.customer_id
			WHERE c.reference = $1 AND a.action = 'customer.review_confirm' AND a.reason = 'Registry extract checked'`, c.Reference); n != 1 {
			t.Fatal("no audit entry")
		}
		_, err = e.svc.ConfirmReview(e.ctx, admin, c.Reference, "again", nil, true)
		wantKind(t, err, apperr.ErrConflict, "not_review_required")
	})
	t.Run("ErrFourEyes", func(t *testing.T) {
		c := e.verified()
		e.update(admin, c, `{"address": {"city": "Boston"}}`)
		_, err := e.svc.ConfirmReview(e.ctx, admin, c.Reference, "mine", nil, true)
		wantKind(t, err, apperr.ErrConflict, "four_eyes")
		if _, err := e.svc.ConfirmReview(e.ctx, admin2, c.Reference, "theirs", nil, true); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("OK_RejectAndReopenClear", func(t *testing.T) {
		for _, to := range []string{"REJECTED", "PENDING"} {
			c := e.verified()
			e.update(officer, c, `{"taxResidenceCountryCode": "GB"}`)
			got, err := e.svc.SetStatus(e.ctx, admin2, c.Reference, customer.StatusChange{Status: to, Reason: ptr("changed")}, nil, true)
			if err != nil || got.ReviewRequired || e.get(c).ReviewRequired {
				t.Fatalf("%s: %v, flag %v", to, err, got != nil && got.ReviewRequired)
			}
		}
	})
}

// TestReviewRequiredAssociates: a contact or title change of an associate
// keeps a VERIFIED customer settled; adding or removing one raises review.
func TestReviewRequiredAssociates(t *testing.T) {
	e := newEnv(t)
	c := e.verified()
	sean := func(email, title string) string {
		return `{"person": {"reference": "` + c.Company.Associates[0].Person.Reference.String() + `", "firstName": "Sean", "lastName": "Bond", "dateOfBirth": "2001-01-31"},
		  "details": {"birthCountryCode": "US", "contactInfo": {"emailAddress": "` + email + `"},
		    "documentInfo": {"number": "123456789", "type": "DRIVERS_LICENSE", "issuingCountryCode": "US"},
		    "taxIdentification": {"number": "914764628", "taxResidenceCountryCode": "US"}},
		  "title": "` + title + `", "riskScore": "LOW", "controls": {"hasOwnership": true, "hasControl": true, "isSigner": false}}`
	}
	got, err := e.replace(c, `{"associates": [`+sean("sean@new.example", "Chair")+`]}`)
	if err != nil || got.Version == c.Version {
		t.Fatalf("contact edit: %v (version %d)", err, got.Version)
	}
	if got.ReviewRequired {
		t.Fatalf("a contact and title edit raised review: %+v", got.ReviewChanges)
	}
	got, err = e.replace(c, `{"associates": [`+sean("sean@new.example", "Chair")+`, `+person("Grace", "Hopper", "grace@x.example", "")+`]}`)
	if err != nil || !got.ReviewRequired {
		t.Fatalf("adding an associate must raise review: %v", err)
	}
	found := false
	for _, ch := range got.ReviewChanges {
		found = found || (strings.HasSuffix(ch.Path, ".person.firstName") && ch.Old == nil && ch.New == "Grace")
	}
	if !found {
		t.Fatalf("changes since approval: %+v", got.ReviewChanges)
	}
}

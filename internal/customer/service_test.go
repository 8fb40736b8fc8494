package customer_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

func TestCreate(t *testing.T) {
	e := newEnv(t)
	t.Run("OK", func(t *testing.T) {
		c := e.create(officer, seedInput)
		if c.Status != customer.StatusPending || c.Version != 1 {
			t.Fatalf("status %s version %d", c.Status, c.Version)
		}
		if !strings.HasPrefix(c.Company.Verification.URL, verifyBase+"/") || c.Company.Verification.Status != "infoRequired" {
			t.Fatalf("verification %+v", c.Company.Verification)
		}
		a := c.Company.Associates[0]
		if a.Person.Reference == uuid.Nil || a.Verification.URL == c.Company.Verification.URL || len(a.Verification.URL) < len(verifyBase)+20 {
			t.Fatalf("associate %+v", a)
		}
		got := e.get(c)
		if got.Company.Name != "Bond Holdings" || len(got.Company.Associates) != 1 || *got.Company.Associates[0].Details.DocumentInfo.Type != "DRIVERS_LICENSE" {
			t.Fatalf("stored %+v", got.Company)
		}
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.create' AND actor_name = $1 AND request_id = $2`, officer.Name, officer.RequestID); n != 1 {
			t.Fatalf("want one create audit entry, got %d", n)
		}
	})
	t.Run("ErrViewerForbidden", func(t *testing.T) {
		_, _, err := e.svc.Create(e.ctx, viewer, decode[customer.CreateInput](t, seedInput), nil)
		wantKind(t, err, apperr.ErrForbidden, "forbidden")
	})
	t.Run("ErrInvalidStoresNothing", func(t *testing.T) {
		before := e.count(`SELECT count(*) FROM customers`)
		_, _, err := e.svc.Create(e.ctx, officer, decode[customer.CreateInput](t, strings.Replace(seedInput, `"US", "registrationNumber"`, `"us", "registrationNumber"`, 1)), nil)
		if len(fieldErrors(t, err)["company.taxResidenceCountryCode"]) == 0 {
			t.Fatalf("want tax country error, got %v", err)
		}
		if after := e.count(`SELECT count(*) FROM customers`); after != before {
			t.Fatal("an invalid create stored something")
		}
	})
}

func TestIdempotentCreate(t *testing.T) {
	e := newEnv(t)
	in := decode[customer.CreateInput](t, seedInput)
	first, replayed, err := e.svc.Create(e.ctx, apiKey, in, &customer.Idempotency{Key: "k-1", Body: []byte(seedInput)})
	if err != nil || replayed {
		t.Fatalf("first: %v %v", err, replayed)
	}
	t.Run("OK_SameBodyReplays", func(t *testing.T) {
		again, replayed, err := e.svc.Create(e.ctx, apiKey, in, &customer.Idempotency{Key: "k-1", Body: []byte(seedInput)})
		if err != nil || !replayed || again.Reference != first.Reference || again.ETag() != first.ETag() {
			t.Fatalf("replay: %v %v %v", err, replayed, again)
		}
		if n := e.count(`SELECT count(*) FROM customers`); n != 1 {
			t.Fatalf("want 1 customer, got %d", n)
		}
	})
	t.Run("ErrOtherBodyConflicts", func(t *testing.T) {
		other := strings.Replace(seedInput, "Bond Holdings", "Bond Holdings Ltd", 1)
		_, _, err := e.svc.Create(e.ctx, apiKey, in, &customer.Idempotency{Key: "k-1", Body: []byte(other)})
		wantKind(t, err, apperr.ErrConflict, "idempotency_key_reused")
	})
	t.Run("OK_KeysAreScopedPerCaller", func(t *testing.T) {
		other, replayed, err := e.svc.Create(e.ctx, officer, in, &customer.Idempotency{Key: "k-1", Body: []byte(seedInput)})
		if err != nil || replayed || other.Reference == first.Reference {
			t.Fatalf("another caller's key must not replay: %v %v", err, replayed)
		}
	})
	t.Run("OK_ConcurrentSameKeyCreatesOnce", func(t *testing.T) {
		before := e.count(`SELECT count(*) FROM customers`)
		refs := make(chan uuid.UUID, 8)
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			go func() {
				c, _, err := e.svc.Create(e.ctx, apiKey, in, &customer.Idempotency{Key: "k-race", Body: []byte(seedInput)})
				if err != nil {
					errs <- err
					return
				}
				refs <- c.Reference
			}()
		}
		seen := map[uuid.UUID]bool{}
		for i := 0; i < 8; i++ {
			select {
			case err := <-errs:
				t.Fatal(err)
			case r := <-refs:
				seen[r] = true
			}
		}
		if len(seen) != 1 || e.count(`SELECT count(*) FROM customers`) != before+1 {
			t.Fatalf("want one customer for one key, got %d references", len(seen))
		}
	})
}

func TestUpdateDetails(t *testing.T) {
	e := newEnv(t)
	c := e.create(officer, seedInput)
	t.Run("OK_SeedBody", func(t *testing.T) {
		up := decode[customer.DetailsUpdate](t, `{"name": "Updated Company Name", "description": "Updated description",
		  "address": {"addressLine1": "Updated Address Line 1", "addressLine2": "Updated Address Line 2", "city": "Updated City",
		  "postalCode": "Updated Postal Code", "countryCode": "US", "country": "United States"}}`)
		got, err := e.svc.Update(e.ctx, apiKey, c.Reference, up, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Company.Name != "Updated Company Name" || got.Company.Address.PostalCode != "Updated Postal Code" || got.Version != 2 {
			t.Fatalf("got %+v v%d", got.Company, got.Version)
		}
		if got.Company.Associates[0].Person.Reference != c.Company.Associates[0].Person.Reference {
			t.Fatal("details update must not touch associates")
		}
	})
	t.Run("OK_NoChangeNoHistory", func(t *testing.T) {
		before := e.count(`SELECT count(*) FROM audit_entries`)
		got, err := e.svc.Update(e.ctx, apiKey, c.Reference, decode[customer.DetailsUpdate](t, `{"name": "Updated Company Name"}`), nil)
		if err != nil || got.Version != 2 || e.count(`SELECT count(*) FROM audit_entries`) != before {
			t.Fatalf("a no-op must not write: %v v%d", err, got.Version)
		}
	})
	t.Run("ErrStaleIfMatch", func(t *testing.T) {
		_, err := e.svc.Update(e.ctx, officer, c.Reference, decode[customer.DetailsUpdate](t, `{"name": "Stale"}`), customer.Versions{1})
		wantKind(t, err, apperr.ErrStale, "version_mismatch")
		var se *customer.StaleError
		if !errors.As(err, &se) {
			t.Fatalf("want a *customer.StaleError, got %T", err)
		}
		if se.By != "API key ci-sync" || se.At.IsZero() || se.Current != 2 || se.ETag != `"v2"` ||
			!slices.Contains(se.Fields, "company.name") || !strings.Contains(se.Message(), "API key ci-sync") {
			t.Fatalf("stale error must say who changed what and when: %q %s %d %s %v", se.By, se.At, se.Current, se.ETag, se.Fields)
		}
		// The API's details keep their documented names, and the kind's
		// *apperr.Error (what the pages hold) leads to the same typed facts.
		ae, _ := apperr.As(err)
		if ae.Extra["changedBy"] != "API key ci-sync" || ae.Extra["currentVersion"] != 2 || ae.Extra["etag"] != `"v2"` {
			t.Fatalf("details: %v", ae.Extra)
		}
		var again *customer.StaleError
		if !errors.As(error(ae), &again) || again != se {
			t.Fatal("the *apperr.Error does not lead to the StaleError")
		}
		if e.get(c).Company.Name != "Updated Company Name" {
			t.Fatal("a stale write changed the customer")
		}
	})
	t.Run("OK_CurrentIfMatch", func(t *testing.T) {
		got, err := e.svc.Update(e.ctx, officer, c.Reference, decode[customer.DetailsUpdate](t, `{"name": "Fresh"}`), customer.Versions{2})
		if err != nil || got.Version != 3 {
			t.Fatalf("%v %v", err, got)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.svc.Update(e.ctx, officer, uuid.New(), customer.DetailsUpdate{}, nil)
		wantKind(t, err, apperr.ErrNotFound, "not_found")
	})
	t.Run("ErrViewer", func(t *testing.T) {
		_, err := e.svc.Update(e.ctx, viewer, c.Reference, decode[customer.DetailsUpdate](t, `{"name": "X"}`), nil)
		wantKind(t, err, apperr.ErrForbidden, "")
	})
	t.Run("OK_HistoryRecordsPaths", func(t *testing.T) {
		h, err := e.svc.History(e.ctx, viewer, c.Reference, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 3 || h[0].Action != "customer.update" || h[2].Action != "customer.create" {
			t.Fatalf("history %+v", h)
		}
		if h[0].ActorName != officer.Name || len(h[0].Changes) != 1 || h[0].Changes[0].Path != "company.name" ||
			h[0].Changes[0].Old != "Updated Company Name" || h[0].Changes[0].New != "Fresh" {
			t.Fatalf("newest entry %+v", h[0])
		}
		paths := map[string]bool{}
		for _, ch := range h[1].Changes {
			paths[ch.Path] = true
		}
		for _, p := range []string{"company.name", "company.description", "company.address.postalCode", "company.address.city"} {
			if !paths[p] {
				t.Errorf("missing path %s in %v", p, h[1].Changes)
			}
		}
	})
}

func TestAuditEntriesAreImmutable(t *testing.T) {
	e := newEnv(t)
	e.create(officer, seedInput)
	if _, err := e.db.Exec(`UPDATE audit_entries SET reason = 'x'`); err == nil {
		t.Fatal("audit entries must not be updatable")
	}
	if _, err := e.db.Exec(`DELETE FROM audit_entries`); err == nil {
		t.Fatal("audit entries must not be deletable")
	}
}

var _ = access.RoleAdmin

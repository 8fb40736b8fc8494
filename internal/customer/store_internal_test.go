package customer

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/pgtest"
)

const storeTestInput = `{"riskScore": "LOW", "company": {"name": "Bond Holdings", "taxResidenceCountryCode": "US",
 "registrationNumber": "21-4532998", "address": {"addressLine1": "1 Main St", "city": "New York", "postalCode": "10001", "countryCode": "US"},
 "associates": [
  {"person": {"firstName": "Sean", "lastName": "Bond", "dateOfBirth": "2001-01-31"}, "details": {"contactInfo": {"emailAddress": "sean@example.com"}}, "controls": {"hasControl": true}},
  {"person": {"firstName": "Ada", "lastName": "Lovelace"}, "details": {"contactInfo": {"emailAddress": "ada@example.com"}}, "controls": {"isSigner": true}},
  {"person": {"firstName": "Alan", "lastName": "Turing"}, "details": {"contactInfo": {"emailAddress": "alan@example.com"}}, "controls": {"hasOwnership": true}}]}}`

func createForStoreTest(t *testing.T, s *Service) *Customer {
	t.Helper()
	var in CreateInput
	if err := json.Unmarshal([]byte(storeTestInput), &in); err != nil {
		t.Fatal(err)
	}
	c, _, err := s.Create(context.Background(), access.System("test"), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGetCustomerOneStatement: the customer and its associates, in order,
// from one statement, locking or not; an unknown reference is not found.
func TestGetCustomerOneStatement(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test"})
	c := createForStoreTest(t, s)
	for _, lock := range []bool{false, true} {
		tx := db.MustBegin()
		got, err := getCustomer(ctx, s.prepared(tx), c.Reference, lock)
		_ = tx.Rollback()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range got.Company.Associates {
			names = append(names, a.FullName())
		}
		if got.ID != c.ID || got.Version != 1 || got.Company.Name != "Bond Holdings" || len(names) != 3 ||
			names[0] != "Sean Bond" || names[1] != "Ada Lovelace" || names[2] != "Alan Turing" ||
			*got.Company.Associates[0].Person.DateOfBirth != "2001-01-31" || got.Company.Associates[1].Person.DateOfBirth != nil {
			t.Fatalf("lock %v: got %+v with %v", lock, got, names)
		}
		if _, err := getCustomer(ctx, s.prepared(nil), uuid.New(), lock); err == nil {
			t.Fatalf("lock %v: an unknown reference was found", lock)
		}
	}
}

// TestGetCustomerLockedSeesTheAssociatesOfTheWriterItWaitedFor: a write
// that waited for the row lock reads the associates the writer before it
// committed — not those its statement's snapshot saw before the wait.
func TestGetCustomerLockedSeesTheAssociatesOfTheWriterItWaitedFor(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test"})
	c := createForStoreTest(t, s)

	tx1 := db.MustBegin()
	defer tx1.Rollback() //nolint:errcheck
	cur, err := getCustomer(ctx, s.prepared(tx1), c.Reference, true)
	if err != nil {
		t.Fatal(err)
	}
	next := *cur
	next.Company.Associates = cur.Company.Associates[:1] // Ada and Alan leave
	if _, err := writeChange(ctx, s.prepared(tx1), written{next: &next, associates: true,
		entry: audit.Record{Actor: access.System("test"), Action: audit.ActionCustomerUpdate, CustomerID: &next.ID}}); err != nil {
		t.Fatal(err)
	}

	type result struct {
		c   *Customer
		err error
	}
	done := make(chan result, 1)
	go func() {
		tx2 := db.MustBegin()
		defer tx2.Rollback() //nolint:errcheck
		got, err := getCustomer(ctx, s.prepared(tx2), c.Reference, true)
		done <- result{got, err}
	}()
	// Commit only once the second reader waits for the lock.
	for {
		var waiting bool
		err := db.GetContext(ctx, &waiting, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE '%snapshot_version%')`)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("the second reader did not wait for the lock: %+v %v", r.c, r.err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := tx1.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.c.Version != 2 || len(r.c.Company.Associates) != 1 || r.c.Company.Associates[0].FullName() != "Sean Bond" {
		t.Fatalf("read version %d with %d associates, want version 2 with Sean Bond alone", r.c.Version, len(r.c.Company.Associates))
	}
}

package customer_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/seed"
)

// sameAsMarshal fails unless AppendJSON writes exactly what json.Marshal does.
func sameAsMarshal(t *testing.T, j customer.JSON) {
	t.Helper()
	want, err := json.Marshal(j)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	got := j.AppendJSON([]byte("prefix"))
	if !bytes.Equal(got[len("prefix"):], want) {
		t.Fatalf("AppendJSON differs from json.Marshal:\n got %s\nwant %s", got[len("prefix"):], want)
	}
}

// TestAppendJSONMatchesMarshal: the hand-written encoder of the API's
// customer shape gives encoding/json's bytes for the demo generator's
// customers (every status, 1–4 associates, optional fields set and not),
// each also with its nullable parts emptied, an assignee and requiredActions.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	var buf bytes.Buffer
	if err := seed.Generate(&buf, 42, 500); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		var c customer.Customer
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		n++
		sameAsMarshal(t, customer.AsJSON(&c))
		sameAsMarshal(t, customer.JSON{Customer: &c}) // requiredActions null
		c.Assignee = &customer.Assignee{ID: int64(n), Email: "o<fficer>@example.com", Name: "Olivia & \"O\""}
		c.ReviewRequired = n%2 == 0
		c.Company.Website, c.Company.Description, c.Company.Address.AddressLine2 = nil, nil, nil
		for i := range c.Company.Associates {
			a := &c.Company.Associates[i]
			a.Person.Address, a.RiskScore, a.Title, a.Details = nil, nil, nil, customer.Details{}
		}
		sameAsMarshal(t, customer.AsJSON(&c))
		c.Company.Associates = nil
		sameAsMarshal(t, customer.AsJSON(&c))
	}
	if n != 500 {
		t.Fatalf("read %d generated customers, want 500", n)
	}
	sameAsMarshal(t, customer.JSON{RequiredActions: []customer.Problem{}})
}

// awkward are strings encoding/json escapes or passes through in ways a
// hand-written encoder could get wrong.
var awkward = []string{"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\r",
	"\x00\x01\x1f\x7f", "müller 東京 🙂", "bad \xff\xfe utf8", "line\u2028para\u2029", "\u00e9\u0301", "a/b", "a<b", "c>d", "e&f", "\x7f", "only\u2028", "only\u2029", "\xc3", "q\"", `\`}

// FuzzAppendJSON puts arbitrary text into every string of a customer (and
// random presence of every optional part) and compares with json.Marshal.
func FuzzAppendJSON(f *testing.F) {
	for i, s := range awkward {
		f.Add(s, uint64(i), int64(i)*7919)
	}
	f.Fuzz(func(t *testing.T, s string, seed uint64, nanos int64) {
		r := rand.New(rand.NewPCG(seed, 1))
		sameAsMarshal(t, customer.AsJSON(randomCustomer(r, s, nanos)))
	})
}

// randomCustomer fills a customer with s or one of the awkward strings in
// each field, optional parts present or nil at random.
func randomCustomer(r *rand.Rand, s string, nanos int64) *customer.Customer {
	str := func() string {
		if r.IntN(3) == 0 {
			return s
		}
		return awkward[r.IntN(len(awkward))]
	}
	opt := func() *string {
		if r.IntN(3) == 0 {
			return nil
		}
		v := str()
		return &v
	}
	tm := func() time.Time {
		t := time.Unix(r.Int64N(4e9), nanos%1e9).UTC()
		if r.IntN(4) == 0 {
			t = t.In(time.FixedZone("x", 5*3600+1800))
		}
		return t
	}
	addr := func() customer.Address {
		return customer.Address{AddressLine1: str(), AddressLine2: opt(), City: str(), PostalCode: str(), CountryCode: str(), Country: str()}
	}
	c := &customer.Customer{Reference: uuid.New(), Status: customer.Status(str()), Type: str(), RiskScore: customer.RiskScore(str()),
		Company: customer.Company{Name: str(), Description: opt(), TaxResidenceCountryCode: str(), RegistrationNumber: str(),
			Website: opt(), Address: addr(), Verification: customer.Verification{URL: str(), Status: str()}},
		CreatedAt: tm(), UpdatedAt: tm(), StatusSince: tm(), ReviewRequired: r.IntN(2) == 0}
	if r.IntN(2) == 0 {
		c.Assignee = &customer.Assignee{ID: r.Int64(), Email: str(), Name: str()}
	}
	if r.IntN(5) > 0 {
		c.Company.Associates = []customer.Associate{}
	}
	for range r.IntN(4) {
		a := customer.Associate{
			Person: customer.Person{Reference: uuid.New(), FirstName: str(), LastName: str(), DateOfBirth: opt()},
			Details: customer.Details{BirthCountryCode: opt(),
				ContactInfo:       customer.ContactInfo{EmailAddress: opt(), PhoneNumber: opt()},
				DocumentNumber:    opt(),
				DocumentInfo:      customer.DocumentInfo{Number: opt(), Type: opt(), IssuingCountryCode: opt()},
				TaxIdentification: customer.TaxIdentification{Number: opt(), TaxResidenceCountryCode: opt()}},
			Title:        opt(),
			Controls:     customer.Controls{HasOwnership: r.IntN(2) == 0, HasControl: r.IntN(2) == 0, IsSigner: r.IntN(2) == 0},
			Verification: customer.Verification{URL: str(), Status: str()},
		}
		if r.IntN(2) == 0 {
			ad := addr()
			a.Person.Address = &ad
		}
		if r.IntN(2) == 0 {
			rs := customer.RiskScore(str())
			a.RiskScore = &rs
		}
		c.Company.Associates = append(c.Company.Associates, a)
	}
	return c
}

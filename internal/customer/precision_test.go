package customer_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
)

// TestTimestampsAtStoredPrecision: a clock with nanoseconds (as time.Now has
// on Linux) must not make a write answer differ from the read that follows.
func TestTimestampsAtStoredPrecision(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 123456789, time.UTC)
	e.svc = customer.NewService(e.db, customer.Options{FourEyes: true, VerifyBaseURL: verifyBase,
		Now: func() time.Time { now = now.Add(time.Second); return now }})
	stamps := func(c *customer.Customer) string {
		t.Helper()
		b, err := json.Marshal(map[string]time.Time{"createdAt": c.CreatedAt, "updatedAt": c.UpdatedAt})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	check := func(what string, wrote *customer.Customer) {
		t.Helper()
		if w, r := stamps(wrote), stamps(e.get(wrote)); w != r {
			t.Fatalf("%s answers %s, a read returns %s", what, w, r)
		}
		if strings.Contains(stamps(wrote), "123456789") {
			t.Fatalf("%s keeps nanoseconds: %s", what, stamps(wrote))
		}
	}
	c := e.create(officer, seedInput)
	check("create", c)
	c, err := e.svc.Update(e.ctx, officer, c.Reference, decode[customer.DetailsUpdate](t, `{"name": "Later Ltd"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	check("update", c)
	check("status", e.setStatus(admin2, c, "REJECTED"))

	imported := `{"reference": "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", "createdAt": "2025-01-02T03:04:05.999999999Z",` +
		strings.TrimPrefix(seedInput, "{")
	if _, err := e.svc.Import(e.ctx, access.System("import"), strings.NewReader(strings.ReplaceAll(imported, "\n", " ")+"\n"),
		func(le customer.LineError) { t.Fatalf("refused: %v", le) }); err != nil {
		t.Fatal(err)
	}
	got := e.get(&customer.Customer{Reference: decode[customer.Customer](t, `{"reference": "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"}`).Reference})
	if want := time.Date(2025, 1, 2, 3, 4, 5, 999999000, time.UTC); !got.CreatedAt.Equal(want) {
		t.Fatalf("imported createdAt %s, want %s (cut, not rounded)", got.CreatedAt, want)
	}
}

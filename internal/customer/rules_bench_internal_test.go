package customer

import (
	"context"
	"database/sql"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/cputime"
	"github.com/verity-kyb/verity/internal/jsonx"
)

// The rules part of a PUT (docs/performance-method.md): what the server does
// in-process besides running its two statements and besides HTTP — the
// strict decode of the body, the row turned into a Customer, the rules
// (ApplyDetails, the status workflow), the diff, the re-review mark, the
// audit entry's and the event's encoding into the statement's parameters,
// and the response's JSON and ETag. `go test -run - -bench PutRules
// -benchmem ./internal/customer/` prints ns/op and allocs/op; the stack
// floor (make bench-floor) measures the rest.

// floorEvents is an outbox that stores events in the write statement (as
// the webhook outbox does), for the benchmark: no database.
type floorEvents struct{}

func (floorEvents) Emit(context.Context, *sqlx.Tx, Event) error { return nil }
func (floorEvents) EmitSQL(string, int, bool) string            { return "ev AS (SELECT 1), outbox AS (SELECT 1)" }
func (floorEvents) Emitted(int)                                 {}

// benchRows are a customer row and two associate rows shaped like the
// benchmark's seeded data.
func benchRows() (customerRow, []associateRow) {
	ns := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	r := customerRow{ID: 4711, Reference: uuid.MustParse("0190a4c4-8f5e-7b51-9e3c-2d6f0c1b7a11"), Status: "PENDING", Type: "COMPANY",
		RiskScore: "LOW", Name: "Rossi Trading GmbH", Description: ns("Wholesale of machine parts"), TaxResidenceCountryCode: "DE",
		RegistrationNumber: "HRB 123456", AddressLine1: "Hauptstraße 12", AddressLine2: ns("Unit 4"), City: "Berlin",
		PostalCode: "10115", CountryCode: "DE", VerificationURL: "https://verify.test/kyb/abcdefghijklmnopqrstuvwxyz012345",
		VerificationStatus: "infoRequired", Version: 7, LastEditor: ns("apikey:3"), CreatedAt: now, UpdatedAt: now, StatusSince: now,
		ReviewChanges: []byte("[]")}
	var as []associateRow
	for i, name := range [][2]string{{"Maria", "Rossi"}, {"Jonas", "Müller"}} {
		as = append(as, associateRow{CustomerID: 4711, Reference: uuid.MustParse("0190a4c4-8f5e-7b51-9e3c-2d6f0c1b7a2" + strconv.Itoa(i)),
			FirstName: name[0], LastName: name[1], DateOfBirth: ns("1976-08-15"), HasAddress: true, AddressLine1: ns("Lindenallee 3"),
			City: ns("Berlin"), PostalCode: ns("10117"), CountryCode: ns("DE"), BirthCountryCode: ns("DE"),
			Email: ns("person" + strconv.Itoa(i) + "@rossi.test"), Phone: ns("+4930123456"), DocumentNumber: ns("C01X00T47"),
			DocumentType: ns("PASSPORT"), DocumentCountryCode: ns("DE"), TaxNumber: ns("DE123456789"), TaxCountryCode: ns("DE"),
			Title: ns("Director"), RiskScore: ns("LOW"), HasOwnership: true, HasControl: true,
			VerificationURL: "https://verify.test/kyb/zyxwvutsrqponmlkjihgfedcba543210", VerificationStatus: "infoRequired"})
	}
	return r, as
}

// BenchmarkPutRules is one PUT's in-process work besides its statements.
func BenchmarkPutRules(b *testing.B) {
	s := NewService(nil, Options{FourEyes: true, VerifyBaseURL: "https://verify.test/kyb", Events: floorEvents{}})
	row, assoc := benchRows()
	a := access.Actor{Kind: access.ActorAPIKey, ID: 1, Name: "bench-officer", Role: access.RoleAdmin, RequestID: "0123456789abcdef"}
	read := func() *Customer {
		c := row.customer()
		for i := range assoc {
			c.Company.Associates = append(c.Company.Associates, assoc[i].associate())
		}
		return c
	}
	run := func(b *testing.B, body []byte, fn func(cur *Customer, in []byte) (*change, error)) {
		buf := make([]byte, 0, 8<<10)
		b.ReportAllocs()
		cpu0 := cputime.Process()
		for i := 0; b.Loop(); i++ {
			cur := read()
			if !(Versions{7}).matches(cur.Version) {
				b.Fatal("version")
			}
			ch, err := fn(cur, body)
			if err != nil {
				b.Fatal(err)
			}
			next, w, ok := s.toWrite(a, cur, ch)
			if !ok || w.outbox == nil {
				b.Fatal("no write in the statement")
			}
			if _, _, err := w.statement(); err != nil {
				b.Fatal(err)
			}
			buf = AsJSON(next).AppendJSON(buf[:0])
			_ = next.ETag()
		}
		// CPU time (user + system, the garbage collector's included) per
		// request: steadier than ns/op on a busy machine
		b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
	}
	b.Run("details", func(b *testing.B) {
		run(b, []byte(`{"description": "Load test edit floor1-2", "address": {"addressLine2": "Unit 3"}}`), func(cur *Customer, in []byte) (*change, error) {
			var up DetailsUpdate
			if err := jsonx.Decode(in, &up); err != nil {
				return nil, err
			}
			next, err := ApplyDetails(*cur, up, s.opts.Now())
			if err != nil {
				return nil, err
			}
			return &change{next: &next, action: "customer.update", edit: true}, nil
		})
	})
	b.Run("status", func(b *testing.B) {
		run(b, []byte(`{"status": "REJECTED", "reason": "load test"}`), func(cur *Customer, in []byte) (*change, error) {
			var sc StatusChange
			if err := jsonx.Decode(in, &sc); err != nil {
				return nil, err
			}
			to, _ := ParseStatus(sc.Status)
			reason, err := ReasonText(sc.Reason)
			if err != nil || !transitionAllowed(cur.Status, to) || !a.Role.Can(permissionFor(to)) {
				b.Fatal("rules", err)
			}
			next := *cur
			next.Status = to
			return &change{next: &next, action: "customer.status", reason: reason, note: true}, nil
		})
	})
}

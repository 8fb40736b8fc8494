package customer_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	officer = access.Actor{Kind: access.ActorUser, ID: 1, Name: "Olivia Officer", Role: access.RoleOfficer, RequestID: "req-officer"}
	admin   = access.Actor{Kind: access.ActorUser, ID: 2, Name: "Ada Admin", Role: access.RoleAdmin, RequestID: "req-admin"}
	admin2  = access.Actor{Kind: access.ActorUser, ID: 3, Name: "Alan Admin", Role: access.RoleAdmin}
	viewer  = access.Actor{Kind: access.ActorUser, ID: 4, Name: "Vera Viewer", Role: access.RoleViewer}
	apiKey  = access.Actor{Kind: access.ActorAPIKey, ID: 9, Name: "ci-sync", Role: access.RoleOfficer}
)

const verifyBase = "https://verify.test/kyb"

type env struct {
	t   *testing.T
	db  *sqlx.DB
	svc *customer.Service
	ctx context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.New(t)
	return &env{t: t, db: db, ctx: context.Background(),
		svc: customer.NewService(db, customer.Options{FourEyes: true, VerifyBaseURL: verifyBase})}
}

// seedInput is a company shaped like the seed page's example.
const seedInput = `{
  "riskScore": "LOW",
  "company": {
    "name": "Bond Holdings", "description": "Original description",
    "taxResidenceCountryCode": "US", "registrationNumber": "21-4532998",
    "address": {"addressLine1": "1 Main St", "addressLine2": "Floor 2", "city": "New York",
                "postalCode": "10001", "countryCode": "US", "country": "United States"},
    "associates": [{
      "person": {"firstName": "Sean", "lastName": "Bond", "dateOfBirth": "2001-01-31",
        "address": {"addressLine1": "101 West Broadway", "addressLine2": "Suite 1975", "city": "San Diego",
                    "postalCode": "92101", "countryCode": "US", "country": "United States"}},
      "details": {"birthCountryCode": "US",
        "contactInfo": {"emailAddress": "Sean.Bond@disney.com", "phoneNumber": "+123456789"},
        "documentNumber": "123456789",
        "documentInfo": {"number": "123456789", "type": "DRIVERS_LICENSE", "issuingCountryCode": "US"},
        "taxIdentification": {"number": "914764628", "taxResidenceCountryCode": "US"}},
      "title": "CEO", "riskScore": "LOW",
      "controls": {"hasOwnership": true, "hasControl": true, "isSigner": false}
    }]
  }
}`

func decode[T any](t testing.TB, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func (e *env) create(a access.Actor, body string) *customer.Customer {
	e.t.Helper()
	c, _, err := e.svc.Create(e.ctx, a, decode[customer.CreateInput](e.t, body), nil)
	if err != nil {
		e.t.Fatalf("create: %v", err)
	}
	return c
}

func (e *env) get(c *customer.Customer) *customer.Customer {
	e.t.Helper()
	got, err := e.svc.Get(e.ctx, viewer, c.Reference)
	if err != nil {
		e.t.Fatalf("get: %v", err)
	}
	return got
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.GetContext(e.ctx, &n, query, args...); err != nil {
		e.t.Fatalf("count %q: %v", query, err)
	}
	return n
}

// fieldErrors returns the field errors of a validation error or fails.
func fieldErrors(t *testing.T, err error) map[string][]string {
	t.Helper()
	if !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("want a validation error, got %v", err)
	}
	e, _ := apperr.As(err)
	return e.Fields
}

func wantKind(t *testing.T, err error, kind *apperr.Error, code string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("want %v error (%s), got %v", kind.Kind, code, err)
	}
	if e, _ := apperr.As(err); code != "" && e.Code != code {
		t.Fatalf("want code %s, got %s (%v)", code, e.Code, err)
	}
}

var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

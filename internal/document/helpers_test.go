package document_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	officer  = access.Actor{Kind: access.ActorUser, ID: 1, Name: "Olivia Officer", Role: access.RoleOfficer}
	officer2 = access.Actor{Kind: access.ActorUser, ID: 5, Name: "Omar Officer", Role: access.RoleOfficer}
	admin    = access.Actor{Kind: access.ActorUser, ID: 2, Name: "Ada Admin", Role: access.RoleAdmin}
	admin2   = access.Actor{Kind: access.ActorUser, ID: 3, Name: "Alan Admin", Role: access.RoleAdmin}
	viewer   = access.Actor{Kind: access.ActorUser, ID: 4, Name: "Vera Viewer", Role: access.RoleViewer}
	// officerKey is an API key owned by officer: the same principal.
	officerKey = access.Actor{Kind: access.ActorAPIKey, ID: 9, Name: "crm of Olivia Officer", Role: access.RoleOfficer, OwnerID: officer.ID}
)

type env struct {
	t         *testing.T
	db        *sqlx.DB
	customers *customer.Service
	docs      *document.Service
	ctx       context.Context
}

// newEnv is a fresh database; rule turns APPROVAL_REQUIRES_DOCUMENTS on;
// maxSize (0: the default) bounds each file.
func newEnv(t *testing.T, rule bool, maxSize int64) *env {
	t.Helper()
	db := pgtest.New(t)
	co := customer.Options{FourEyes: true, VerifyBaseURL: "https://verify.test/kyb"}
	if rule {
		co.Evidence = document.ApprovalRule()
	}
	cs := customer.NewService(db, co)
	return &env{t: t, db: db, customers: cs, ctx: context.Background(),
		docs: document.NewService(db, cs, document.Options{MaxFileSize: maxSize, RequireForApproval: rule})}
}

// companyInput has a director with control (driver's licence) and a signer
// without ownership or control.
const companyInput = `{
  "riskScore": "LOW",
  "company": {
    "name": "Bond Holdings", "taxResidenceCountryCode": "US", "registrationNumber": "21-4532998",
    "address": {"addressLine1": "1 Main St", "city": "New York", "postalCode": "10001", "countryCode": "US"},
    "associates": [{
      "person": {"firstName": "Sean", "lastName": "Bond", "dateOfBirth": "1971-01-31"},
      "details": {"contactInfo": {"emailAddress": "sean@bond.test"},
        "documentInfo": {"number": "123456789", "type": "DRIVERS_LICENSE", "issuingCountryCode": "US"}},
      "controls": {"hasOwnership": true, "hasControl": true, "isSigner": false}
    }, {
      "person": {"firstName": "Mia", "lastName": "Signer", "dateOfBirth": "1980-05-05"},
      "details": {"contactInfo": {"emailAddress": "mia@bond.test"},
        "documentInfo": {"number": "X1", "type": "PASSPORT", "issuingCountryCode": "GB"}},
      "controls": {"hasOwnership": false, "hasControl": false, "isSigner": true}
    }]
  }
}`

func (e *env) create() *customer.Customer {
	e.t.Helper()
	var in customer.CreateInput
	if err := json.Unmarshal([]byte(companyInput), &in); err != nil {
		e.t.Fatal(err)
	}
	c, _, err := e.customers.Create(e.ctx, officer, in, nil)
	if err != nil {
		e.t.Fatalf("create: %v", err)
	}
	return c
}

// File contents that pass (or fail) sniffing by their first bytes.
func pngBytes(n int, seed byte) []byte {
	b := append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, make([]byte, n-8)...)
	for i := 8; i < len(b); i++ {
		b[i] = byte(i) ^ seed
	}
	return b
}

func pdfBytes(seed byte) []byte {
	return append([]byte("%PDF-1.4\n% "), seed, '\n')
}

// files makes next() for Upload from metas and contents.
func files(list ...document.Upload) func() (*document.Upload, error) {
	i := 0
	return func() (*document.Upload, error) {
		if i == len(list) {
			return nil, io.EOF
		}
		u := list[i]
		i++
		return &u, nil
	}
}

func file(m document.Meta, content []byte) document.Upload {
	return document.Upload{Meta: m, Content: bytes.NewReader(content)}
}

func companyDoc(name string) document.Meta {
	return document.Meta{Type: "COMPANY_DOC", SubType: "INCORPORATION_CERT", Name: name}
}

func personDoc(c *customer.Customer, i int, t, name string) document.Meta {
	return document.Meta{PersonReference: c.Company.Associates[i].Person.Reference.String(), Type: t, Name: name}
}

func (e *env) upload(a access.Actor, c *customer.Customer, list ...document.Upload) []document.Uploaded {
	e.t.Helper()
	out, err := e.docs.Upload(e.ctx, a, c.Reference, files(list...))
	if err != nil {
		e.t.Fatalf("upload: %v", err)
	}
	return out
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.GetContext(e.ctx, &n, q, args...); err != nil {
		e.t.Fatalf("count %q: %v", q, err)
	}
	return n
}

func wantKind(t *testing.T, err error, kind apperr.Kind, code string) *apperr.Error {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != kind || (code != "" && ae.Code != code) {
		t.Fatalf("want kind %v code %q, got %v", kind, code, err)
	}
	return ae
}

func fields(t *testing.T, err error) map[string][]string {
	t.Helper()
	if !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("want a validation error, got %v", err)
	}
	ae, _ := apperr.As(err)
	return ae.Fields
}

// onlySean is an associates list that keeps Sean and drops Mia.
func onlySean(t *testing.T, c *customer.Customer) customer.AssociatesInput {
	t.Helper()
	body := `{"associates": [{
      "person": {"reference": "` + c.Company.Associates[0].Person.Reference.String() + `", "firstName": "Sean", "lastName": "Bond", "dateOfBirth": "1971-01-31"},
      "details": {"contactInfo": {"emailAddress": "sean@bond.test"},
        "documentInfo": {"number": "123456789", "type": "DRIVERS_LICENSE", "issuingCountryCode": "US"}},
      "controls": {"hasOwnership": true, "hasControl": true, "isSigner": false}}]}`
	var in customer.AssociatesInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	return in
}

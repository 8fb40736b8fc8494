package customer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/validate"
)

// The store: hand-written SQL beside each function. Every function takes
// sqlx.ExtContext so the pool and a transaction both fit; the service owns
// transactions. A customer loads in two queries whatever its associates.

type customerRow struct {
	ID                      int64     `db:"id"`
	Reference               uuid.UUID `db:"reference"`
	Status                  string    `db:"status"`
	Type                    string    `db:"type"`
	RiskScore               string    `db:"risk_score"`
	Name                    string    `db:"name"`
	Description             *string   `db:"description"`
	TaxResidenceCountryCode string    `db:"tax_residence_country_code"`
	RegistrationNumber      string    `db:"registration_number"`
	AddressLine1            string    `db:"address_line1"`
	AddressLine2            *string   `db:"address_line2"`
	City                    string    `db:"city"`
	PostalCode              string    `db:"postal_code"`
	CountryCode             string    `db:"country_code"`
	VerificationURL         string    `db:"verification_url"`
	VerificationStatus      string    `db:"verification_status"`
	Version                 int       `db:"version"`
	LastEditor              *string   `db:"last_editor"`
	CreatedAt               time.Time `db:"created_at"`
	UpdatedAt               time.Time `db:"updated_at"`
}

const customerColumns = `id, reference, status, type, risk_score, name, description, tax_residence_country_code,
registration_number, address_line1, address_line2, city, postal_code, country_code, verification_url,
verification_status, version, last_editor, created_at, updated_at`

func (r *customerRow) customer() *Customer {
	country, _ := validate.CountryName(r.CountryCode)
	return &Customer{
		ID: r.ID, Reference: r.Reference, Status: Status(r.Status), Type: r.Type, RiskScore: RiskScore(r.RiskScore),
		Company: Company{
			Name: r.Name, Description: r.Description, TaxResidenceCountryCode: r.TaxResidenceCountryCode,
			RegistrationNumber: r.RegistrationNumber,
			Address: Address{AddressLine1: r.AddressLine1, AddressLine2: r.AddressLine2, City: r.City,
				PostalCode: r.PostalCode, CountryCode: r.CountryCode, Country: country},
			Associates:   []Associate{},
			Verification: Verification{URL: r.VerificationURL, Status: r.VerificationStatus},
		},
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version, LastEditor: r.LastEditor,
	}
}

type associateRow struct {
	CustomerID          int64     `db:"customer_id"`
	Reference           uuid.UUID `db:"reference"`
	FirstName           string    `db:"first_name"`
	LastName            string    `db:"last_name"`
	DateOfBirth         *string   `db:"date_of_birth"`
	HasAddress          bool      `db:"has_address"`
	AddressLine1        *string   `db:"address_line1"`
	AddressLine2        *string   `db:"address_line2"`
	City                *string   `db:"city"`
	PostalCode          *string   `db:"postal_code"`
	CountryCode         *string   `db:"country_code"`
	BirthCountryCode    *string   `db:"birth_country_code"`
	Email               *string   `db:"email"`
	Phone               *string   `db:"phone"`
	DocumentNumber      *string   `db:"document_number"`
	DocumentType        *string   `db:"document_type"`
	DocumentCountryCode *string   `db:"document_country_code"`
	TaxNumber           *string   `db:"tax_number"`
	TaxCountryCode      *string   `db:"tax_country_code"`
	Title               *string   `db:"title"`
	RiskScore           *string   `db:"risk_score"`
	HasOwnership        bool      `db:"has_ownership"`
	HasControl          bool      `db:"has_control"`
	IsSigner            bool      `db:"is_signer"`
	VerificationURL     string    `db:"verification_url"`
	VerificationStatus  string    `db:"verification_status"`
}

const associateColumns = `customer_id, reference, first_name, last_name, date_of_birth::text AS date_of_birth, has_address,
address_line1, address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number,
document_type, document_country_code, tax_number, tax_country_code, title, risk_score, has_ownership, has_control,
is_signer, verification_url, verification_status`

func (r *associateRow) associate() Associate {
	a := Associate{
		Person: Person{Reference: r.Reference, FirstName: r.FirstName, LastName: r.LastName, DateOfBirth: r.DateOfBirth},
		Details: Details{
			BirthCountryCode:  r.BirthCountryCode,
			ContactInfo:       ContactInfo{EmailAddress: r.Email, PhoneNumber: r.Phone},
			DocumentNumber:    r.DocumentNumber,
			DocumentInfo:      DocumentInfo{Number: r.DocumentNumber, Type: r.DocumentType, IssuingCountryCode: r.DocumentCountryCode},
			TaxIdentification: TaxIdentification{Number: r.TaxNumber, TaxResidenceCountryCode: r.TaxCountryCode},
		},
		Title:        r.Title,
		Controls:     Controls{HasOwnership: r.HasOwnership, HasControl: r.HasControl, IsSigner: r.IsSigner},
		Verification: Verification{URL: r.VerificationURL, Status: r.VerificationStatus},
	}
	if r.RiskScore != nil {
		rs := RiskScore(*r.RiskScore)
		a.RiskScore = &rs
	}
	if r.HasAddress {
		addr := Address{AddressLine2: r.AddressLine2}
		addr.AddressLine1 = deref(r.AddressLine1)
		addr.City = deref(r.City)
		addr.PostalCode = deref(r.PostalCode)
		addr.CountryCode = deref(r.CountryCode)
		addr.Country, _ = validate.CountryName(addr.CountryCode)
		a.Person.Address = &addr
	}
	return a
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

var (
	getCustomerSQL          = `SELECT ` + customerColumns + ` FROM customers WHERE reference = $1`
	getCustomerForUpdateSQL = getCustomerSQL + ` FOR UPDATE`
	listAssociatesSQL       = `SELECT ` + associateColumns + ` FROM associates WHERE customer_id = $1 ORDER BY position`
	listAssociatesManySQL   = `SELECT ` + associateColumns + ` FROM associates WHERE customer_id = ANY($1) ORDER BY customer_id, position`
)

// getCustomer loads a customer and its associates; forUpdate locks the row
// so concurrent writers queue instead of overwriting one another.
func getCustomer(ctx context.Context, db sqlx.ExtContext, ref uuid.UUID, forUpdate bool) (*Customer, error) {
	q := getCustomerSQL
	if forUpdate {
		q = getCustomerForUpdateSQL
	}
	var row customerRow
	if err := sqlx.GetContext(ctx, db, &row, q, ref); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound("customer " + ref.String())
		}
		return nil, fmt.Errorf("get customer: %w", err)
	}
	c := row.customer()
	var assoc []associateRow
	if err := sqlx.SelectContext(ctx, db, &assoc, listAssociatesSQL, row.ID); err != nil {
		return nil, fmt.Errorf("list associates: %w", err)
	}
	for i := range assoc {
		c.Company.Associates = append(c.Company.Associates, assoc[i].associate())
	}
	return c, nil
}

// attachAssociates loads the associates of many customers in one query.
func attachAssociates(ctx context.Context, db sqlx.ExtContext, list []*Customer) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	byID := make(map[int64]*Customer, len(list))
	for i, c := range list {
		ids[i] = c.ID
		byID[c.ID] = c
	}
	var assoc []associateRow
	if err := sqlx.SelectContext(ctx, db, &assoc, listAssociatesManySQL, pq.Array(ids)); err != nil {
		return fmt.Errorf("list associates: %w", err)
	}
	for i := range assoc {
		c := byID[assoc[i].CustomerID]
		c.Company.Associates = append(c.Company.Associates, assoc[i].associate())
	}
	return nil
}

const insertCustomerSQL = `
INSERT INTO customers (reference, status, type, risk_score, name, description, tax_residence_country_code,
  registration_number, address_line1, address_line2, city, postal_code, country_code, verification_url,
  verification_status, version, last_editor, search_text, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $17, $18, $18)
RETURNING id`

// insertCustomer stores a new customer row (not its associates).
func insertCustomer(ctx context.Context, db sqlx.ExtContext, c *Customer) error {
	co := &c.Company
	err := sqlx.GetContext(ctx, db, &c.ID, insertCustomerSQL, c.Reference, string(c.Status), c.Type, string(c.RiskScore),
		co.Name, co.Description, co.TaxResidenceCountryCode, co.RegistrationNumber, co.Address.AddressLine1,
		co.Address.AddressLine2, co.Address.City, co.Address.PostalCode, co.Address.CountryCode,
		co.Verification.URL, co.Verification.Status, c.LastEditor, searchText(c), c.CreatedAt)
	if err != nil {
		return storeError(err, "customer")
	}
	c.Version = 1
	return nil
}

const updateCustomerSQL = `
UPDATE customers SET status = $2, risk_score = $3, name = $4, description = $5, tax_residence_country_code = $6,
  registration_number = $7, address_line1 = $8, address_line2 = $9, city = $10, postal_code = $11,
  country_code = $12, last_editor = $13, search_text = $14, version = version + 1, updated_at = $15
WHERE id = $1
RETURNING version`

// updateCustomer writes every mutable column of the customer row and bumps its version.
func updateCustomer(ctx context.Context, db sqlx.ExtContext, c *Customer) error {
	co := &c.Company
	err := sqlx.GetContext(ctx, db, &c.Version, updateCustomerSQL, c.ID, string(c.Status), string(c.RiskScore), co.Name,
		co.Description, co.TaxResidenceCountryCode, co.RegistrationNumber, co.Address.AddressLine1,
		co.Address.AddressLine2, co.Address.City, co.Address.PostalCode, co.Address.CountryCode,
		c.LastEditor, searchText(c), c.UpdatedAt)
	if err != nil {
		return storeError(err, "customer")
	}
	return nil
}

const deleteAssociatesSQL = `DELETE FROM associates WHERE customer_id = $1`

const insertAssociatesSQL = `
INSERT INTO associates (customer_id, reference, position, first_name, last_name, date_of_birth, has_address,
  address_line1, address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number,
  document_type, document_country_code, tax_number, tax_country_code, title, risk_score, has_ownership, has_control,
  is_signer, verification_url, verification_status)
SELECT $1, u.reference, u.position, u.first_name, u.last_name, u.date_of_birth::date, u.has_address, u.address_line1,
  u.address_line2, u.city, u.postal_code, u.country_code, u.birth_country_code, u.email, u.phone, u.document_number,
  u.document_type::document_type, u.document_country_code, u.tax_number, u.tax_country_code, u.title,
  u.risk_score::risk_score, u.has_ownership, u.has_control, u.is_signer, u.verification_url, u.verification_status
FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::text[], $9::text[],
  $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
  $19::text[], $20::text[], $21::text[], $22::text[], $23::bool[], $24::bool[], $25::bool[], $26::text[], $27::text[])
  AS u(reference, position, first_name, last_name, date_of_birth, has_address, address_line1, address_line2, city,
  postal_code, country_code, birth_country_code, email, phone, document_number, document_type, document_country_code,
  tax_number, tax_country_code, title, risk_score, has_ownership, has_control, is_signer, verification_url,
  verification_status)`

// replaceAssociates makes list the customer's associates, in order, in two statements.
func replaceAssociates(ctx context.Context, db sqlx.ExtContext, customerID int64, list []Associate, deleteFirst bool) error {
	if deleteFirst {
		if _, err := db.ExecContext(ctx, deleteAssociatesSQL, customerID); err != nil {
			return fmt.Errorf("delete associates: %w", err)
		}
	}
	if len(list) == 0 {
		return nil
	}
	n := len(list)
	refs := make([]string, n)
	pos := make([]int64, n)
	cols := make([][]*string, 18)
	for i := range cols {
		cols[i] = make([]*string, n)
	}
	urls, statuses := make([]string, n), make([]string, n)
	bools := make([][]bool, 4)
	for i := range bools {
		bools[i] = make([]bool, n)
	}
	for i := range list {
		a := &list[i]
		refs[i] = a.Person.Reference.String()
		pos[i] = int64(i)
		first, last := a.Person.FirstName, a.Person.LastName
		cols[0][i], cols[1][i], cols[2][i] = &first, &last, a.Person.DateOfBirth
		if ad := a.Person.Address; ad != nil {
			bools[0][i] = true
			l1, city, pc, cc := ad.AddressLine1, ad.City, ad.PostalCode, ad.CountryCode
			cols[3][i], cols[4][i], cols[5][i], cols[6][i], cols[7][i] = &l1, ad.AddressLine2, &city, &pc, &cc
		}
		d := &a.Details
		cols[8][i], cols[9][i], cols[10][i] = d.BirthCountryCode, d.ContactInfo.EmailAddress, d.ContactInfo.PhoneNumber
		cols[11][i], cols[12][i], cols[13][i] = d.DocumentInfo.Number, d.DocumentInfo.Type, d.DocumentInfo.IssuingCountryCode
		cols[14][i], cols[15][i] = d.TaxIdentification.Number, d.TaxIdentification.TaxResidenceCountryCode
		cols[16][i] = a.Title
		if a.RiskScore != nil {
			rs := string(*a.RiskScore)
			cols[17][i] = &rs
		}
		bools[1][i], bools[2][i], bools[3][i] = a.Controls.HasOwnership, a.Controls.HasControl, a.Controls.IsSigner
		urls[i], statuses[i] = a.Verification.URL, a.Verification.Status
	}
	arr := func(c []*string) any { return pq.Array(nullStrings(c)) }
	_, err := db.ExecContext(ctx, insertAssociatesSQL, customerID, pq.Array(refs), pq.Array(pos),
		arr(cols[0]), arr(cols[1]), arr(cols[2]), pq.Array(bools[0]), arr(cols[3]), arr(cols[4]), arr(cols[5]),
		arr(cols[6]), arr(cols[7]), arr(cols[8]), arr(cols[9]), arr(cols[10]), arr(cols[11]), arr(cols[12]),
		arr(cols[13]), arr(cols[14]), arr(cols[15]), arr(cols[16]), arr(cols[17]), pq.Array(bools[1]),
		pq.Array(bools[2]), pq.Array(bools[3]), pq.Array(urls), pq.Array(statuses))
	if err != nil {
		return storeError(err, "associate")
	}
	return nil
}

func nullStrings(in []*string) []sql.NullString {
	out := make([]sql.NullString, len(in))
	for i, p := range in {
		if p != nil {
			out[i] = sql.NullString{String: *p, Valid: true}
		}
	}
	return out
}

// storeError turns constraint violations into conflicts a person can read.
func storeError(err error, what string) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		switch pqErr.Constraint {
		case "associates_email_key":
			return apperr.Conflict("duplicate", "two associates of this customer would share an e-mail address")
		case "associates_document_key":
			return apperr.Conflict("duplicate", "two associates of this customer would share an identity document")
		case "customers_reference_key", "associates_reference_key":
			return apperr.Conflict("duplicate", "a %s with this reference already exists", what)
		}
		return apperr.Conflict("duplicate", "this %s already exists", what)
	}
	return fmt.Errorf("store %s: %w", what, err)
}

// searchText is what the trigram index searches: name, registration number
// and associate names, lower-cased.
func searchText(c *Customer) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(c.Company.Name))
	b.WriteString(" | ")
	b.WriteString(strings.ToLower(c.Company.RegistrationNumber))
	for i := range c.Company.Associates {
		b.WriteString(" | ")
		b.WriteString(strings.ToLower(c.Company.Associates[i].FullName()))
	}
	return b.String()
}

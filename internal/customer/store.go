package customer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/validate"
)

// The store: hand-written SQL beside each function. Every function takes
// sqlx.ExtContext so the pool and a transaction both fit; the service owns
// transactions. A customer loads in one query whatever its associates.

// The rows are scanned field by field (dest), in the order of the column
// lists: a list page reads some 1,500 values, and mapping them by name
// through reflection cost more than reading them. Nullable text scans into
// sql.NullString, which database/sql fills without reflection.

type customerRow struct {
	ID                      int64
	Reference               uuid.UUID
	Status                  string
	Type                    string
	RiskScore               string
	Name                    string
	Description             sql.NullString
	TaxResidenceCountryCode string
	RegistrationNumber      string
	Website                 sql.NullString
	AddressLine1            string
	AddressLine2            sql.NullString
	City                    string
	PostalCode              string
	CountryCode             string
	VerificationURL         string
	VerificationStatus      string
	Version                 int64
	LastEditor              sql.NullString
	CreatedAt               time.Time
	UpdatedAt               time.Time
	StatusSince             time.Time
	AssigneeID              sql.NullInt64
	AssigneeEmail           sql.NullString
	AssigneeName            sql.NullString
	ReviewRequired          bool
	ReviewChanges           []byte
	ReviewEditor            sql.NullString
	AssociateCount          int64 // list rows only (listColumns)
	// keptAt is when the list cache kept this row (listcache.go): the API
	// list binds a kept encoding of the company to it. Zero: not kept.
	keptAt time.Time
}

const customerColumns = customerColumnsBefore + `last_editor` + customerColumnsAfter

// listColumns are a list's: the customer's and its associate count (an
// index-only count), so a page that shows only the count need not read them.
const listColumns = customerColumns + `, (SELECT count(*) FROM associates a WHERE a.customer_id = customers.id)`

const (
	customerColumnsBefore = `id, reference, status, type, risk_score, name, description, tax_residence_country_code,
registration_number, website, address_line1, address_line2, city, postal_code, country_code, verification_url,
verification_status, version, `
	customerColumnsAfter = `, created_at, updated_at, status_since, assignee_id,
(SELECT su.email FROM staff_users su WHERE su.id = assignee_id) AS assignee_email,
(SELECT su.name FROM staff_users su WHERE su.id = assignee_id) AS assignee_name,
review_required, review_changes, review_editor`
)

// lastEditorPrincipal reads last_editor as a principal even when a binary of
// the previous release, running beside this one during a deploy, wrote the
// key ('apikey:3') rather than its owner ('user:7'): the four-eyes rule then
// still sees the person. Only single-customer loads (and so every write and
// approval) pay for it.
const lastEditorPrincipal = `CASE WHEN last_editor LIKE 'apikey:%' THEN COALESCE(
  (SELECT 'user:' || k.owner_id FROM api_keys k WHERE k.id = substr(last_editor, 8)::bigint AND k.owner_id IS NOT NULL),
  last_editor) ELSE last_editor END`

// dest is the row's fields in customerColumns order, for Scan.
func (r *customerRow) dest() []any {
	return []any{&r.ID, &r.Reference, &r.Status, &r.Type, &r.RiskScore, &r.Name, &r.Description,
		&r.TaxResidenceCountryCode, &r.RegistrationNumber, &r.Website, &r.AddressLine1, &r.AddressLine2, &r.City, &r.PostalCode,
		&r.CountryCode, &r.VerificationURL, &r.VerificationStatus, &r.Version, &r.LastEditor, &r.CreatedAt, &r.UpdatedAt,
		&r.StatusSince, &r.AssigneeID, &r.AssigneeEmail, &r.AssigneeName, &r.ReviewRequired, &r.ReviewChanges, &r.ReviewEditor}
}

func (r *customerRow) customer() *Customer {
	country, _ := validate.CountryName(r.CountryCode)
	return &Customer{
		ID: r.ID, Reference: r.Reference, Status: Status(r.Status), Type: r.Type, RiskScore: RiskScore(r.RiskScore),
		Company: Company{
			Name: r.Name, Description: nullString(r.Description), TaxResidenceCountryCode: r.TaxResidenceCountryCode,
			RegistrationNumber: r.RegistrationNumber, Website: nullString(r.Website),
			Address: Address{AddressLine1: r.AddressLine1, AddressLine2: nullString(r.AddressLine2), City: r.City,
				PostalCode: r.PostalCode, CountryCode: r.CountryCode, Country: country},
			Associates:   []Associate{},
			Verification: Verification{URL: r.VerificationURL, Status: r.VerificationStatus},
		},
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: int(r.Version), LastEditor: nullString(r.LastEditor),
		StatusSince: r.StatusSince.UTC(), Assignee: r.assignee(),
		ReviewRequired: r.ReviewRequired, ReviewChanges: reviewChangesOf(r.ReviewChanges), ReviewEditor: nullString(r.ReviewEditor),
		AssociateCount: int(r.AssociateCount),
	}
}

// queryCustomers runs q and reads customer rows: customerColumns, and with
// counted listColumns' associate count after them.
func queryCustomers(ctx context.Context, db sqlx.QueryerContext, counted bool, q string, args ...any) ([]customerRow, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]customerRow, 0, 21) // a default page and the row past it
	for rows.Next() {
		out = append(out, customerRow{})
		r := &out[len(out)-1]
		dest := r.dest()
		if counted {
			dest = append(dest, &r.AssociateCount)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

type associateRow struct {
	CustomerID          int64
	Reference           uuid.UUID
	FirstName           string
	LastName            string
	DateOfBirth         sql.NullString
	HasAddress          bool
	AddressLine1        sql.NullString
	AddressLine2        sql.NullString
	City                sql.NullString
	PostalCode          sql.NullString
	CountryCode         sql.NullString
	BirthCountryCode    sql.NullString
	Email               sql.NullString
	Phone               sql.NullString
	DocumentNumber      sql.NullString
	DocumentType        sql.NullString
	DocumentCountryCode sql.NullString
	TaxNumber           sql.NullString
	TaxCountryCode      sql.NullString
	Title               sql.NullString
	RiskScore           sql.NullString
	HasOwnership        bool
	HasControl          bool
	IsSigner            bool
	VerificationURL     string
	VerificationStatus  string
}

const associateColumns = `customer_id, reference, first_name, last_name, date_of_birth::text AS date_of_birth, has_address,
address_line1, address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number,
document_type, document_country_code, tax_number, tax_country_code, title, risk_score, has_ownership, has_control,
is_signer, verification_url, verification_status`

// dest is the row's fields in associateColumns order, for Scan.
func (r *associateRow) dest() []any {
	return []any{&r.CustomerID, &r.Reference, &r.FirstName, &r.LastName, &r.DateOfBirth, &r.HasAddress,
		&r.AddressLine1, &r.AddressLine2, &r.City, &r.PostalCode, &r.CountryCode, &r.BirthCountryCode, &r.Email,
		&r.Phone, &r.DocumentNumber, &r.DocumentType, &r.DocumentCountryCode, &r.TaxNumber, &r.TaxCountryCode,
		&r.Title, &r.RiskScore, &r.HasOwnership, &r.HasControl, &r.IsSigner, &r.VerificationURL, &r.VerificationStatus}
}

func (r *associateRow) associate() Associate {
	docNumber := nullString(r.DocumentNumber)
	a := Associate{
		Person: Person{Reference: r.Reference, FirstName: r.FirstName, LastName: r.LastName, DateOfBirth: nullString(r.DateOfBirth)},
		Details: Details{
			BirthCountryCode: nullString(r.BirthCountryCode),
			ContactInfo:      ContactInfo{EmailAddress: nullString(r.Email), PhoneNumber: nullString(r.Phone)},
			DocumentNumber:   docNumber,
			DocumentInfo: DocumentInfo{Number: docNumber, Type: nullString(r.DocumentType),
				IssuingCountryCode: nullString(r.DocumentCountryCode)},
			TaxIdentification: TaxIdentification{Number: nullString(r.TaxNumber), TaxResidenceCountryCode: nullString(r.TaxCountryCode)},
		},
		Title:        nullString(r.Title),
		Controls:     Controls{HasOwnership: r.HasOwnership, HasControl: r.HasControl, IsSigner: r.IsSigner},
		Verification: Verification{URL: r.VerificationURL, Status: r.VerificationStatus},
	}
	if r.RiskScore.Valid {
		rs := RiskScore(r.RiskScore.String)
		a.RiskScore = &rs
	}
	if r.HasAddress {
		addr := Address{AddressLine1: r.AddressLine1.String, AddressLine2: nullString(r.AddressLine2), City: r.City.String,
			PostalCode: r.PostalCode.String, CountryCode: r.CountryCode.String}
		addr.Country, _ = validate.CountryName(addr.CountryCode)
		a.Person.Address = &addr
	}
	return a
}

// eachAssociate runs q and hands each associate row (associateColumns) to
// fn; the row is reused, so fn keeps what it needs (associate copies).
func eachAssociate(ctx context.Context, db sqlx.QueryerContext, fn func(*associateRow), q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list associates: %w", err)
	}
	defer rows.Close()
	var r associateRow
	dest := r.dest()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("list associates: %w", err)
		}
		fn(&r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list associates: %w", err)
	}
	return nil
}

// queryScalar reads the one value of the one row q returns.
func queryScalar[T any](ctx context.Context, db sqlx.QueryerContext, dest *T, q string, args ...any) error {
	return queryRow(ctx, db, []any{dest}, q, args...)
}

// queryRow reads the values of the one row q returns into dest.
func queryRow(ctx context.Context, db sqlx.QueryerContext, dest []any, q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

// statements keeps the store's fixed statements prepared, so PostgreSQL
// parses and plans each once per connection instead of on every call: a
// write runs four of them and a read two, and parsing and planning were a
// good part of the database's time. Only statements whose best plan does not
// depend on their values go through it; the list's and the search's queries
// are planned for their values every time.
type statements struct {
	db      *sqlx.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool // being prepared, or failed to: not tried again
	// list keeps what lists read, by customer and version (listcache.go).
	list *listCache
}

func newStatements(db *sqlx.DB) *statements {
	return &statements{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}, list: newListCache()}
}

// maxStatements bounds the cache; the store has a dozen fixed statements.
const maxStatements = 64

// lookup returns q prepared, or nil: then q runs unprepared this time while
// a goroutine prepares it. lookup never waits for a connection — its caller
// may hold one in a transaction, and waiting for a second one could
// deadlock a full pool.
func (st *statements) lookup(q string) *sql.Stmt {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.m[q]
	if s == nil && !st.pending[q] && len(st.m)+len(st.pending) < maxStatements {
		st.pending[q] = true
		go st.prepare(q)
	}
	return s
}

func (st *statements) prepare(q string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := st.db.PrepareContext(ctx, q)
	if err != nil {
		return // stays pending: the statement keeps running unprepared
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.pending, q)
	st.m[q] = s
}

// prepared is the pool, or a transaction, running queries as prepared
// statements once they are; everything else goes to the wrapped value.
type prepared struct {
	sqlx.ExtContext
	tx    *sql.Tx // nil: the pool
	stmts *statements
}

func (p prepared) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	switch s := p.stmts.lookup(q); {
	case s == nil:
		return p.ExtContext.QueryContext(ctx, q, args...)
	case p.tx != nil:
		return p.tx.StmtContext(ctx, s).QueryContext(ctx, args...) // closed with the transaction
	default:
		return s.QueryContext(ctx, args...)
	}
}

func (p prepared) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	switch s := p.stmts.lookup(q); {
	case s == nil:
		return p.ExtContext.ExecContext(ctx, q, args...)
	case p.tx != nil:
		return p.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	default:
		return s.ExecContext(ctx, args...)
	}
}

func (p prepared) QueryxContext(ctx context.Context, q string, args ...any) (*sqlx.Rows, error) {
	rows, err := p.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return &sqlx.Rows{Rows: rows, Mapper: p.stmts.db.Mapper}, nil
}

// nullString is a scanned optional text as the domain holds it.
func nullString(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

var (
	getCustomerSQL          = customerWithAssociatesSQL(false)
	getCustomerForUpdateSQL = customerWithAssociatesSQL(true)
	listAssociatesSQL       = `SELECT ` + associateColumns + ` FROM associates WHERE customer_id = $1 ORDER BY position`
)

// Column counts of a customer row (customerRow.dest) and an associate row
// (associateRow.dest), for the NULLs that pad the other kind's rows.
const (
	customerColumnCount  = 28
	associateColumnCount = 26
)

// customerWithAssociatesSQL reads a customer and its associates in one
// statement (one round trip, one plan): the customer's row first (pos -1),
// then its associates in order, each row padded with NULLs where the other
// kind has its columns. The locking form also reads the row's version as the
// statement's snapshot sees it (snapshot_version), see getCustomer.
func customerWithAssociatesSQL(forUpdate bool) string {
	c := `SELECT ` + customerColumnsBefore + lastEditorPrincipal + customerColumnsAfter + ` FROM customers WHERE reference = $1`
	snapshot := `NULL::bigint`
	if forUpdate {
		c += ` FOR UPDATE`
		snapshot = `(SELECT s.version FROM customers s WHERE s.id = c.id)`
	}
	return `WITH c AS (` + c + `)
SELECT -1 AS pos, c.*, ` + snapshot + ` AS snapshot_version` + strings.Repeat(`, NULL`, associateColumnCount) + ` FROM c
UNION ALL
SELECT position` + strings.Repeat(`, NULL`, customerColumnCount+1) + `, ` + associateColumns + `
FROM associates WHERE customer_id = (SELECT id FROM c)
ORDER BY pos`
}

// getCustomer loads a customer and its associates in one statement; forUpdate
// locks the customer row so concurrent writers queue instead of overwriting
// one another.
//
// Locking in one statement needs care: under READ COMMITTED the statement's
// snapshot is taken before it waits for the lock, and only the locked row
// itself is re-read at its newest version — associates replaced by the
// writer it waited for would be read as they were. Every change of the
// associates bumps the version under this lock, so when the locked row's
// version is not the one the snapshot saw, the associates are read again in a
// statement of their own (a fresh snapshot, after the lock), as before.
func getCustomer(ctx context.Context, db sqlx.ExtContext, ref uuid.UUID, forUpdate bool) (*Customer, error) {
	_, c, err := readCustomer(ctx, db, ref, forUpdate)
	return c, err
}

// readCustomer is getCustomer, with the customer's row as read.
func readCustomer(ctx context.Context, db sqlx.ExtContext, ref uuid.UUID, forUpdate bool) (customerRow, *Customer, error) {
	var r customerRow
	q := getCustomerSQL
	if forUpdate {
		q = getCustomerForUpdateSQL
	}
	rows, err := db.QueryContext(ctx, q, ref)
	if err != nil {
		return r, nil, fmt.Errorf("get customer: %w", err)
	}
	defer rows.Close()
	var (
		pos      int64
		sink     any
		snapshot sql.NullInt64
		c        *Customer
		ar       associateRow
	)
	for rows.Next() {
		if c == nil { // the customer's row comes first
			dest := append(append([]any{&pos}, r.dest()...), &snapshot)
			for range associateColumnCount {
				dest = append(dest, &sink)
			}
			if err := rows.Scan(dest...); err != nil {
				return r, nil, fmt.Errorf("get customer: %w", err)
			}
			c = r.customer()
			continue
		}
		dest := make([]any, 0, 2+customerColumnCount+associateColumnCount)
		dest = append(dest, &pos)
		for range customerColumnCount + 1 {
			dest = append(dest, &sink)
		}
		if err := rows.Scan(append(dest, ar.dest()...)...); err != nil {
			return r, nil, fmt.Errorf("get customer: %w", err)
		}
		c.Company.Associates = append(c.Company.Associates, ar.associate())
	}
	if err := rows.Err(); err != nil {
		return r, nil, fmt.Errorf("get customer: %w", err)
	}
	if c == nil {
		return r, nil, apperr.NotFound("customer " + ref.String())
	}
	if forUpdate && snapshot.Int64 != int64(c.Version) {
		return r, c, reloadAssociates(ctx, db, c)
	}
	return r, c, nil
}

// reloadAssociates reads c's associates again, in a statement of its own.
func reloadAssociates(ctx context.Context, db sqlx.ExtContext, c *Customer) error {
	c.Company.Associates = []Associate{}
	return eachAssociate(ctx, db, func(r *associateRow) {
		c.Company.Associates = append(c.Company.Associates, r.associate())
	}, listAssociatesSQL, c.ID)
}

const insertCustomerSQL = `
INSERT INTO customers (reference, status, type, risk_score, name, description, tax_residence_country_code,
  registration_number, address_line1, address_line2, city, postal_code, country_code, verification_url,
  verification_status, version, last_editor, search_text, created_at, updated_at, website, status_since)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $17, $18, $18, $19, $20)
RETURNING id`

// insertCustomer stores a new customer row (not its associates).
func insertCustomer(ctx context.Context, db sqlx.ExtContext, c *Customer) error {
	co := &c.Company
	if c.StatusSince.IsZero() {
		c.StatusSince = c.CreatedAt
	}
	err := queryScalar(ctx, db, &c.ID, insertCustomerSQL, c.Reference, string(c.Status), c.Type, string(c.RiskScore),
		co.Name, co.Description, co.TaxResidenceCountryCode, co.RegistrationNumber, co.Address.AddressLine1,
		co.Address.AddressLine2, co.Address.City, co.Address.PostalCode, co.Address.CountryCode,
		co.Verification.URL, co.Verification.Status, c.LastEditor, searchText(c), c.CreatedAt, co.Website, c.StatusSince)
	if err != nil {
		return storeError(err, "customer")
	}
	c.Version = 1
	return nil
}

var insertAssociatesSQL = insertAssociates(2)

// associateArrayTypes are the element types of insertAssociates' arrays, in
// associateArgs' order.
var associateArrayTypes = []string{"uuid", "int", "text", "text", "text", "bool", "text", "text", "text", "text",
	"text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "bool", "bool", "bool",
	"text", "text"}

// insertAssociates is the INSERT of a customer's associates ($1 its id) from
// the arrays of associateArgs, numbered from first on.
func insertAssociates(first int) string {
	arrays := make([]string, len(associateArrayTypes))
	for i, t := range associateArrayTypes {
		arrays[i] = fmt.Sprintf("$%d::%s[]", first+i, t)
	}
	return `INSERT INTO associates (customer_id, reference, position, first_name, last_name, date_of_birth, has_address,
  address_line1, address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number,
  document_type, document_country_code, tax_number, tax_country_code, title, risk_score, has_ownership, has_control,
  is_signer, verification_url, verification_status)
SELECT $1, u.reference, u.position, u.first_name, u.last_name, u.date_of_birth::date, u.has_address, u.address_line1,
  u.address_line2, u.city, u.postal_code, u.country_code, u.birth_country_code, u.email, u.phone, u.document_number,
  u.document_type::document_type, u.document_country_code, u.tax_number, u.tax_country_code, u.title,
  u.risk_score::risk_score, u.has_ownership, u.has_control, u.is_signer, u.verification_url, u.verification_status
FROM unnest(` + strings.Join(arrays, ", ") + `)
  AS u(reference, position, first_name, last_name, date_of_birth, has_address, address_line1, address_line2, city,
  postal_code, country_code, birth_country_code, email, phone, document_number, document_type, document_country_code,
  tax_number, tax_country_code, title, risk_score, has_ownership, has_control, is_signer, verification_url,
  verification_status)`
}

// insertAssociatesNew stores the associates of a new customer (create and
// import) in one statement.
func insertAssociatesNew(ctx context.Context, db sqlx.ExtContext, customerID int64, list []Associate) error {
	if len(list) == 0 {
		return nil
	}
	if _, err := db.ExecContext(ctx, insertAssociatesSQL, append([]any{customerID}, associateArgs(list)...)...); err != nil {
		return storeError(err, "associate")
	}
	return nil
}

// associateArgs are the list as insertAssociates' arrays, one per column.
func associateArgs(list []Associate) []any {
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
	return []any{pq.Array(refs), pq.Array(pos),
		arr(cols[0]), arr(cols[1]), arr(cols[2]), pq.Array(bools[0]), arr(cols[3]), arr(cols[4]), arr(cols[5]),
		arr(cols[6]), arr(cols[7]), arr(cols[8]), arr(cols[9]), arr(cols[10]), arr(cols[11]), arr(cols[12]),
		arr(cols[13]), arr(cols[14]), arr(cols[15]), arr(cols[16]), arr(cols[17]), pq.Array(bools[1]),
		pq.Array(bools[2]), pq.Array(bools[3]), pq.Array(urls), pq.Array(statuses)}
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

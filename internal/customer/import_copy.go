package customer

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/postgres"
)

// BatchEvents is Events that stores many events in a few statements (the
// webhook outbox does); the import's COPY batches use it when Events has it.
type BatchEvents interface {
	EmitAll(ctx context.Context, tx *sqlx.Tx, evs []Event) error
}

// storeBatch writes a batch of new customers. The clean ones (no reference
// stored already or repeated in the batch, no evidence check to run) go in
// one transaction with COPY; the others, and the whole batch when that
// transaction fails (a live server created one of its references meanwhile),
// go one transaction per customer through storeAll, in line order, so each
// refusal names its own line exactly as before.
//
// Stored references are looked up only when the COPY meets one: a fresh
// import's batches are written without the lookup (a probe of two unique
// indexes per reference, ~15 µs of PostgreSQL per line), and a batch that
// does hold a stored reference is written as before, its clean lines in one
// COPY after the lookup.
func (s *Service) storeBatch(ctx context.Context, a access.Actor, cs []*Customer, trust, lz4 bool) (int, []error) {
	errs := make([]error, len(cs))
	slow, owners := s.ownTxInBatch(cs, trust)
	if !importCopy {
		allSlow(slow)
	}
	n := 0
	copied := false
	for attempt := 0; attempt < 2 && !copied; attempt++ {
		var fast []*Customer
		for i, c := range cs {
			if !slow[i] {
				fast = append(fast, c)
			}
		}
		if len(fast) == 0 {
			break
		}
		err := s.copyAll(ctx, a, fast, trust, lz4)
		switch {
		case err == nil:
			n += len(fast)
			copied = true
		case attempt == 0 && isUniqueViolation(err):
			if err := s.markStored(ctx, owners, slow); err != nil {
				allSlow(slow)
			}
		default:
			allSlow(slow)
			copied = true // nothing more to try by COPY
		}
	}
	for i, c := range cs {
		if !slow[i] {
			continue
		}
		if err := s.storeAll(ctx, a, []*Customer{c}, trust); err != nil {
			errs[i] = err
			continue
		}
		n++
	}
	return n, errs
}

func allSlow(slow []bool) {
	for i := range slow {
		slow[i] = true
	}
}

func isUniqueViolation(err error) bool {
	_, ok := postgres.IsUniqueViolation(err)
	return ok
}

const storedRefsSQL = `
SELECT reference FROM customers WHERE reference = ANY($1::uuid[])
UNION ALL
SELECT reference FROM associates WHERE reference = ANY($1::uuid[])`

// ownTxInBatch marks the customers that must be written one by one for what
// the batch itself shows: a reference (the customer's or an associate's)
// that appears twice in the batch, or a VERIFIED line whose evidence must be
// checked after its insert. owners maps each reference to its customers.
func (s *Service) ownTxInBatch(cs []*Customer, trust bool) (slow []bool, owners map[uuid.UUID][]int) {
	owners = make(map[uuid.UUID][]int, len(cs)*3)
	for i, c := range cs {
		owners[c.Reference] = append(owners[c.Reference], i)
		for j := range c.Company.Associates {
			r := c.Company.Associates[j].Person.Reference
			owners[r] = append(owners[r], i)
		}
	}
	slow = make([]bool, len(cs))
	for _, list := range owners {
		if len(list) > 1 { // twice in the batch
			for _, i := range list {
				slow[i] = true
			}
		}
	}
	for i, c := range cs {
		if !trust && c.Status == StatusVerified && s.opts.Evidence != nil {
			slow[i] = true
		}
	}
	return slow, owners
}

// markStored marks the customers with a reference that is stored already.
func (s *Service) markStored(ctx context.Context, owners map[uuid.UUID][]int, slow []bool) error {
	all := make([]string, 0, len(owners))
	for r := range owners {
		all = append(all, r.String())
	}
	storedLookups.Add(1)
	var stored []uuid.UUID
	if err := s.db.SelectContext(ctx, &stored, storedRefsSQL, pq.Array(all)); err != nil {
		return fmt.Errorf("stored references: %w", err)
	}
	for _, r := range stored {
		for _, i := range owners[r] {
			slow[i] = true
		}
	}
	return nil
}

// storedLookups counts markStored's lookups, for tests.
var storedLookups atomic.Int64

const lz4SQL = `SELECT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))`

// lz4Available tells whether the server compresses with lz4 (PostgreSQL 14
// and later, built with it); false when it cannot tell.
func (s *Service) lz4Available(ctx context.Context) bool {
	var ok bool
	return s.db.GetContext(ctx, &ok, lz4SQL) == nil && ok
}

const reserveCustomerIDsSQL = `SELECT nextval(pg_get_serial_sequence('customers', 'id')) FROM generate_series(1, $1)`

// copyCustomerColumns are the columns insertCustomerSQL writes, plus the id.
var copyCustomerColumns = []string{"id", "reference", "status", "type", "risk_score", "name", "description",
	"tax_residence_country_code", "registration_number", "address_line1", "address_line2", "city", "postal_code",
	"country_code", "verification_url", "verification_status", "version", "last_editor", "search_text", "created_at",
	"updated_at", "website", "status_since"}

// copyAssociateColumns are the columns insertAssociatesSQL writes.
var copyAssociateColumns = []string{"customer_id", "reference", "position", "first_name", "last_name", "date_of_birth",
	"has_address", "address_line1", "address_line2", "city", "postal_code", "country_code", "birth_country_code", "email",
	"phone", "document_number", "document_type", "document_country_code", "tax_number", "tax_country_code", "title",
	"risk_score", "has_ownership", "has_control", "is_signer", "verification_url", "verification_status"}

// copyAll writes what storeAll writes for each customer — the row, its
// associates, its customer.import audit entry and its created event — in
// one transaction of four COPY statements (the customers, their search
// grams, associates, audit entries), the counters' deltas and the events'
// statements; the customers' insert triggers step aside (import_grams.go).
// With lz4, the batch's large values (the audit entries' changes) are
// compressed with lz4 rather than pglz, a fifth of PostgreSQL's work here;
// readers decompress either transparently.
func (s *Service) copyAll(ctx context.Context, a access.Actor, cs []*Customer, trust, lz4 bool) error {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	settings := bulkSQL
	if lz4 {
		settings += `; SET LOCAL default_toast_compression = lz4`
	}
	if _, err := tx.ExecContext(ctx, settings); err != nil {
		return err
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, reserveCustomerIDsSQL, len(cs)); err != nil {
		return fmt.Errorf("reserve customer ids: %w", err)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for i, c := range cs {
		c.ID, c.Version = ids[i], 1
		if c.StatusSince.IsZero() {
			c.StatusSince = c.CreatedAt
		}
	}
	texts := make([]string, len(cs))
	for i, c := range cs {
		texts[i] = searchText(c)
	}
	w := &audit.CopyText{Buf: make([]byte, 0, copyChunk+64<<10)}
	if err := copyText(ctx, conn, w, "customers", copyCustomerColumns, len(cs), func(i int) { customerCopyRow(w, cs[i], texts[i]) }); err != nil {
		return err
	}
	if err := copyGrams(ctx, conn, w, cs, texts); err != nil {
		return err
	}
	if err := insertCounts(ctx, tx, cs); err != nil {
		return err
	}
	type at struct{ c, a int }
	var assoc []at
	for i, c := range cs {
		for j := range c.Company.Associates {
			assoc = append(assoc, at{i, j})
		}
	}
	err = copyText(ctx, conn, w, "associates", copyAssociateColumns, len(assoc), func(i int) {
		c := cs[assoc[i].c]
		associateCopyRow(w, c.ID, assoc[i].a, &c.Company.Associates[assoc[i].a])
	})
	if err != nil {
		return err
	}
	reason := ""
	if trust {
		reason = TrustedStatusReason
	}
	var changes []byte
	err = copyText(ctx, conn, w, "audit_entries", audit.Columns, len(cs), func(i int) {
		c := cs[i]
		changes = creationJSON(changes[:0], c)
		audit.Record{Actor: a, Action: audit.ActionCustomerImport, CustomerID: &c.ID,
			ChangesJSON: changes, Reason: reason}.AppendCopy(w)
	})
	if err != nil {
		return err
	}
	if err := s.emitCreated(ctx, tx, cs); err != nil {
		return err
	}
	return tx.Commit()
}

// emitCreated emits each customer's created event, all at once when the
// events receiver can.
func (s *Service) emitCreated(ctx context.Context, tx *sqlx.Tx, cs []*Customer) error {
	if s.opts.Events == nil {
		return nil
	}
	evs := make([]Event, len(cs))
	for i, c := range cs {
		evs[i] = Event{Name: EventCreated, CustomerID: c.ID, Data: AsJSON(c)}
	}
	if b, ok := s.opts.Events.(BatchEvents); ok {
		return b.EmitAll(ctx, tx, evs)
	}
	for _, ev := range evs {
		if err := s.opts.Events.Emit(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// customerCopyRow writes the row insertCustomerSQL inserts (copyCustomerColumns);
// search is the customer's searchText.
func customerCopyRow(w *audit.CopyText, c *Customer, search string) {
	co := &c.Company
	w.Int(c.ID)
	w.Text(c.Reference.String())
	w.Text(string(c.Status))
	w.Text(c.Type)
	w.Text(string(c.RiskScore))
	w.Text(co.Name)
	w.TextOrNull(co.Description)
	w.Text(co.TaxResidenceCountryCode)
	w.Text(co.RegistrationNumber)
	w.Text(co.Address.AddressLine1)
	w.TextOrNull(co.Address.AddressLine2)
	w.Text(co.Address.City)
	w.Text(co.Address.PostalCode)
	w.Text(co.Address.CountryCode)
	w.Text(co.Verification.URL)
	w.Text(co.Verification.Status)
	w.Int(int64(c.Version))
	w.TextOrNull(c.LastEditor)
	w.Text(search)
	w.Time(c.CreatedAt)
	w.Time(c.CreatedAt)
	w.TextOrNull(co.Website)
	w.Time(c.StatusSince)
	w.EndRow()
}

// associateCopyRow writes the row replaceAssociates inserts for the
// associate at position pos (copyAssociateColumns).
func associateCopyRow(w *audit.CopyText, customerID int64, pos int, a *Associate) {
	w.Int(customerID)
	w.Text(a.Person.Reference.String())
	w.Int(int64(pos))
	w.Text(a.Person.FirstName)
	w.Text(a.Person.LastName)
	w.TextOrNull(a.Person.DateOfBirth)
	if ad := a.Person.Address; ad != nil {
		w.Bool(true)
		w.Text(ad.AddressLine1)
		w.TextOrNull(ad.AddressLine2)
		w.Text(ad.City)
		w.Text(ad.PostalCode)
		w.Text(ad.CountryCode)
	} else {
		w.Bool(false)
		for range 5 {
			w.Null()
		}
	}
	d := &a.Details
	w.TextOrNull(d.BirthCountryCode)
	w.TextOrNull(d.ContactInfo.EmailAddress)
	w.TextOrNull(d.ContactInfo.PhoneNumber)
	w.TextOrNull(d.DocumentInfo.Number)
	w.TextOrNull(d.DocumentInfo.Type)
	w.TextOrNull(d.DocumentInfo.IssuingCountryCode)
	w.TextOrNull(d.TaxIdentification.Number)
	w.TextOrNull(d.TaxIdentification.TaxResidenceCountryCode)
	w.TextOrNull(a.Title)
	if a.RiskScore != nil {
		w.Text(string(*a.RiskScore))
	} else {
		w.Null()
	}
	w.Bool(a.Controls.HasOwnership)
	w.Bool(a.Controls.HasControl)
	w.Bool(a.Controls.IsSigner)
	w.Text(a.Verification.URL)
	w.Text(a.Verification.Status)
	w.EndRow()
}

// copyChunk is about how much COPY text one driver call hands over.
const copyChunk = 256 << 10

// pqCopy is lib/pq's COPY statement: CopyData hands it rows of COPY text
// (it adds the last newline), Exec(nil) ends the COPY and answers its error.
type pqCopy interface {
	CopyData(ctx context.Context, line string) (driver.Result, error)
	Exec(v []driver.Value) (driver.Result, error)
}

// copyText runs one COPY into table (its columns cols, fixed names) of n
// rows that row(i) writes to w as COPY text, handing the text to lib/pq in
// pieces of whole rows of about copyChunk bytes (pq's CopyData) rather than
// a driver call per row; w's buffer is reused for every piece. conn is in
// the transaction.
func copyText(ctx context.Context, conn *sqlx.Conn, w *audit.CopyText, table string, cols []string, n int, row func(i int)) error {
	if n == 0 {
		return nil
	}
	err := conn.Raw(func(dc any) error {
		st, err := dc.(driver.Conn).Prepare("COPY " + table + " (" + strings.Join(cols, ", ") + ") FROM STDIN")
		if err != nil {
			return err
		}
		defer st.Close()
		cd, ok := st.(pqCopy)
		if !ok {
			return errors.New("the database driver cannot copy text")
		}
		w.Buf = w.Buf[:0]
		for i := 0; i < n; i++ {
			row(i)
			if len(w.Buf) >= copyChunk || i == n-1 {
				// CopyData ends what it is given with a newline.
				if _, err := cd.CopyData(ctx, string(w.Buf[:len(w.Buf)-1])); err != nil {
					return err
				}
				w.Buf = w.Buf[:0]
			}
		}
		_, err = cd.Exec(nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}

// importCopy is false only in tests that write the same lines through the
// per-line path, to compare the two.
var importCopy = true

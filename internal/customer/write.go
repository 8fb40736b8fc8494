package customer

import (
	"context"
	"strconv"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/audit"
)

// A change to a customer (details, associates, status) is written by one
// statement: the row's UPDATE, the associates rewritten when they changed, the
// audit entry, and the status change's note tied to that entry. One round
// trip instead of up to five, in the same transaction, with the same rows.

// Parameter numbers of writeSQL: the UPDATE's ($1 the id … $19), then the
// associates' arrays when they are rewritten, then the audit entry's, then the
// note's two statuses.
const (
	writeUpdateParams = 19
	writeAuditParams  = 9
)

// writeSQL[associates][note] is the statement of a change: with the
// associates deleted and inserted again, and with the reason as a note.
var writeSQL = [2][2]string{
	{buildWriteSQL(false, false), buildWriteSQL(false, true)},
	{buildWriteSQL(true, false), buildWriteSQL(true, true)},
}

func buildWriteSQL(associates, note bool) string {
	next := writeUpdateParams + 1
	q := `WITH upd AS (
UPDATE customers SET status = $2, risk_score = $3, name = $4, description = $5, tax_residence_country_code = $6,
  registration_number = $7, address_line1 = $8, address_line2 = $9, city = $10, postal_code = $11,
  country_code = $12, last_editor = $13, search_text = $14, version = version + 1, updated_at = $15, website = $16,
  review_required = $17, review_changes = $18, review_editor = $19
WHERE id = $1
RETURNING version, status_since)`
	if associates {
		// The old rows go before any new one is inserted (the sub-select of
		// gone runs first), so an associate kept, with the same e-mail or
		// document, never meets itself in a unique index.
		q += `, gone AS (DELETE FROM associates WHERE customer_id = $1 RETURNING 1),
assoc AS (` + insertAssociates(next) + `
WHERE (SELECT count(*) FROM gone) >= 0)`
		next += len(associateArrayTypes)
	}
	q += `, entry AS (` + audit.InsertSQL(next) + `
RETURNING id, actor_type, actor_id, actor_name, customer_id, reason)`
	next += writeAuditParams
	if note {
		// the note's author and text are the entry's actor and reason (insertNote's rule)
		q += `, note AS (INSERT INTO customer_notes (customer_id, author_type, author_id, author_name, body, status_entry_id,
  status_from, status_to, created_at)
SELECT customer_id, actor_type, actor_id, actor_name, reason, id, $` + strconv.Itoa(next) + `::customer_status, $` +
			strconv.Itoa(next+1) + `::customer_status, $15 FROM entry)`
	}
	return q + `
SELECT upd.version, upd.status_since, entry.id FROM upd, entry`
}

// written is one change as writeChange stores it.
type written struct {
	next       *Customer // the customer after the change: its version and status_since are read back
	associates bool      // rewrite the associates too
	entry      audit.Record
	note       bool // the entry's reason is also a note, from → to
	from, to   Status
}

// writeChange stores a change and its audit entry (and note) in one
// statement and answers the entry's id.
func writeChange(ctx context.Context, db sqlx.ExtContext, w written) (int64, error) {
	c := w.next
	co := &c.Company
	args := make([]any, 0, writeUpdateParams+len(associateArrayTypes)+writeAuditParams+2)
	args = append(args, c.ID, string(c.Status), string(c.RiskScore), co.Name,
		co.Description, co.TaxResidenceCountryCode, co.RegistrationNumber, co.Address.AddressLine1,
		co.Address.AddressLine2, co.Address.City, co.Address.PostalCode, co.Address.CountryCode,
		c.LastEditor, searchText(c), c.UpdatedAt, co.Website, c.ReviewRequired, string(reviewChangesJSON(c.ReviewChanges)), c.ReviewEditor)
	if w.associates {
		args = append(args, associateArgs(co.Associates)...)
	}
	entry, err := w.entry.Args()
	if err != nil {
		return 0, err
	}
	args = append(args, entry...)
	note := w.note && w.entry.Reason != ""
	if note {
		args = append(args, string(w.from), string(w.to))
	}
	var entryID int64
	err = queryRow(ctx, db, []any{&c.Version, &c.StatusSince, &entryID}, writeSQL[b2i(w.associates)][b2i(note)], args...)
	if err != nil {
		what := "customer"
		if w.associates {
			what = "associate" // the only unique keys such a write can meet are the associates'
		}
		return 0, storeError(err, what)
	}
	c.StatusSince = c.StatusSince.UTC()
	return entryID, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

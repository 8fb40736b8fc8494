package customer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/audit"
)

// A change to a customer (details, associates, status) is written by one
// statement: the row's UPDATE, the associates rewritten when they changed, the
// audit entry, the status change's note tied to that entry, and the events
// (StatementEvents). One round trip instead of up to six, in one transaction,
// with the same rows. The UPDATE only takes the row at the version and with
// the assignee the change was computed from; every other part only writes
// when it did, so a statement that finds the row changed writes nothing
// (errChanged) — which lets a write run without a transaction of its own
// (mutate), while a locked write always finds its row.

// Parameter numbers of writeSQL: the UPDATE's ($1 the id … $19, $20 and $21
// the version and assignee expected), then the associates' arrays when they
// are rewritten, then the audit entry's, then the note's two statuses, then
// the events'.
const (
	writeUpdateParams = 21
	writeAuditParams  = 9
)

// errChanged: the write statement did not find its row at the version (or
// with the assignee) it was computed from, and wrote nothing.
var errChanged = errors.New("customer changed since it was read")

// writeStatements[associates][note] are the statements of a change: with
// the associates deleted and inserted again, and with the reason as a note.
type writeStatements [2][2]string

// writeSQL are the statements without the events (they go to Events.Emit).
var writeSQL = buildWriteStatements(nil, false)

func buildWriteStatements(events StatementEvents, many bool) writeStatements {
	var w writeStatements
	for a := range 2 {
		for n := range 2 {
			w[a][n] = buildWriteSQL(a == 1, n == 1, events, many)
		}
	}
	return w
}

// buildWriteSQL is one write statement; with events, its last parts store
// the write's events (the parameters after the note's: one event's, or
// many's) and it answers how many deliveries they made.
func buildWriteSQL(associates, note bool, events StatementEvents, many bool) string {
	next := writeUpdateParams + 1
	q := `WITH upd AS (
UPDATE customers SET status = $2, risk_score = $3, name = $4, description = $5, tax_residence_country_code = $6,
  registration_number = $7, address_line1 = $8, address_line2 = $9, city = $10, postal_code = $11,
  country_code = $12, last_editor = $13, search_text = $14, version = version + 1, updated_at = $15, website = $16,
  review_required = $17, review_changes = $18, review_editor = $19
WHERE id = $1 AND version = $20 AND assignee_id IS NOT DISTINCT FROM $21
RETURNING id, version, status_since)`
	if associates {
		// The old rows go before any new one is inserted (the sub-select of
		// gone runs first), so an associate kept, with the same e-mail or
		// document, never meets itself in a unique index.
		q += `, gone AS (DELETE FROM associates WHERE customer_id = (SELECT id FROM upd) RETURNING 1),
assoc AS (` + insertAssociates(next) + `
WHERE EXISTS (SELECT 1 FROM upd) AND (SELECT count(*) FROM gone) >= 0)`
		next += len(associateArrayTypes)
	}
	q += `, entry AS (` + audit.InsertFromSQL(next, "upd") + `
RETURNING id, actor_type, actor_id, actor_name, customer_id, reason)`
	next += writeAuditParams
	if note {
		// the note's author and text are the entry's actor and reason (insertNote's rule)
		q += `, note AS (INSERT INTO customer_notes (customer_id, author_type, author_id, author_name, body, status_entry_id,
  status_from, status_to, created_at)
SELECT customer_id, actor_type, actor_id, actor_name, reason, id, $` + strconv.Itoa(next) + `::customer_status, $` +
			strconv.Itoa(next+1) + `::customer_status, $15 FROM entry)`
		next += 2
	}
	if events == nil {
		return q + `
SELECT upd.version, upd.status_since, entry.id FROM upd, entry`
	}
	// after the audit entry, as record writes them: the entry's id is older
	return q + `, ` + events.EmitSQL("(SELECT id FROM upd)", next, many) + `
SELECT upd.version, upd.status_since, entry.id, (SELECT count(*) FROM outbox) FROM upd, entry`
}

// written is one change as writeChange stores it.
type written struct {
	next       *Customer // the customer after the change: its version and status_since are read back
	associates bool      // rewrite the associates too
	entry      audit.Record
	note       bool // the entry's reason is also a note, from → to
	from, to   Status
	// outbox, when set, stores events in the same statement
	outbox *outbox
	events []Event
}

// outbox is the write statements that also store the write's events, for
// an Events that can (StatementEvents): one round trip fewer per write.
// sql[0] stores one event (most writes), sql[1] any other number: two
// statements rather than one with a branch per case (StatementEvents.EmitSQL
// of the webhook outbox says why).
type outbox struct {
	events StatementEvents
	sql    [2]writeStatements
}

func newOutbox(ev Events) *outbox {
	se, ok := ev.(StatementEvents)
	if !ok {
		return nil
	}
	return &outbox{events: se, sql: [2]writeStatements{buildWriteStatements(se, false), buildWriteStatements(se, true)}}
}

// writeChange stores a change and its audit entry (and note) in one
// statement and answers the entry's id.
func writeChange(ctx context.Context, db sqlx.ExtContext, w written) (int64, error) {
	c := w.next
	var entryID, deliveries int64
	q, args, err := w.statement()
	if err != nil {
		return 0, err
	}
	dest := []any{&c.Version, &c.StatusSince, &entryID}
	if w.outbox != nil {
		dest = append(dest, &deliveries)
	}
	err = queryRow(ctx, db, dest, q, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errChanged
	}
	if err != nil {
		what := "customer"
		if w.associates {
			what = "associate" // the only unique keys such a write can meet are the associates'
		}
		return 0, storeError(err, what)
	}
	c.StatusSince = c.StatusSince.UTC()
	if w.outbox != nil {
		w.outbox.events.Emitted(int(deliveries))
	}
	return entryID, nil
}

// statement is the write statement of w and its parameters.
func (w written) statement() (string, []any, error) {
	c := w.next
	co := &c.Company
	args := make([]any, 0, writeUpdateParams+len(associateArrayTypes)+writeAuditParams+5)
	args = append(args, c.ID, string(c.Status), string(c.RiskScore), co.Name,
		co.Description, co.TaxResidenceCountryCode, co.RegistrationNumber, co.Address.AddressLine1,
		co.Address.AddressLine2, co.Address.City, co.Address.PostalCode, co.Address.CountryCode,
		c.LastEditor, searchText(c), c.UpdatedAt, co.Website, c.ReviewRequired, string(reviewChangesJSON(c.ReviewChanges)), c.ReviewEditor,
		c.Version, assigneeID(c))
	if w.associates {
		args = append(args, associateArgs(co.Associates)...)
	}
	entry, err := w.entry.Args()
	if err != nil {
		return "", nil, err
	}
	args = append(args, entry...)
	note := w.note && w.entry.Reason != ""
	if note {
		args = append(args, string(w.from), string(w.to))
	}
	if w.outbox == nil {
		return writeSQL[b2i(w.associates)][b2i(note)], args, nil
	}
	many := len(w.events) != 1
	ev, err := eventArgs(w.events, many)
	if err != nil {
		return "", nil, err
	}
	return w.outbox.sql[b2i(many)][b2i(w.associates)][b2i(note)], append(args, ev...), nil
}

// eventArgs are the parameters of StatementEvents.EmitSQL for evs: for one
// event (not many) its new id, its name and its payload; else their new ids
// and their names as arrays, their payloads as one JSON array.
func eventArgs(evs []Event, many bool) ([]any, error) {
	if !many {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		payload, err := evs[0].Payload()
		if err != nil {
			return nil, fmt.Errorf("webhook event %s: %w", evs[0].Name, err)
		}
		return []any{id.String(), evs[0].Name, string(payload)}, nil
	}
	ids, names := make([]string, len(evs)), make([]string, len(evs))
	payloads := []byte{'['}
	for i, ev := range evs {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		ids[i], names[i] = id.String(), ev.Name
		if i > 0 {
			payloads = append(payloads, ',')
		}
		if payloads, err = ev.appendPayload(payloads); err != nil {
			return nil, fmt.Errorf("webhook event %s: %w", ev.Name, err)
		}
	}
	return []any{pq.Array(ids), pq.Array(names), string(append(payloads, ']'))}, nil
}

// assigneeID is c's assignee's id, or nil.
func assigneeID(c *Customer) any {
	if c.Assignee == nil {
		return nil
	}
	return c.Assignee.ID
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

package customer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/audit"
)

// The stack floor (make bench-floor, docs/performance-method.md): what any
// server on this stack pays to run a request's statements — database/sql and
// lib/pq binding, sending, receiving and scanning, on a pool of `verity
// serve`'s size, prepared as the service prepares them — and nothing else:
// no rules, no JSON, no audit diff. StackFloor runs the service's own
// statements (the read of GET one and of every PUT, then the PUT's one write
// statement with its audit entry, note and events) with values taken from
// the row just read.

// FloorKind is which request's statements StackFloor.Run runs.
type FloorKind int

// The requests the stack floor measures.
const (
	FloorRead       FloorKind = iota // GET one: the read
	FloorDetails                     // PUT details: the read, then the write with a new description
	FloorStatus                      // PUT status: the read, then PENDING <-> REJECTED with its note
	FloorAssociates                  // PUT associates: the read, then the same associates written again
)

// StackFloor runs a request's statements as the service does, without the
// service around them.
type StackFloor struct {
	db    prepared
	write writeStatements
	n     atomic.Uint64 // makes each details write new
}

// NewStackFloor runs the statements on db, prepared, with the events stored
// by events' statement parts (the webhook outbox in verity serve).
func NewStackFloor(db *sqlx.DB, events StatementEvents) *StackFloor {
	return &StackFloor{db: prepared{ExtContext: db, stmts: newStatements(db)}, write: buildWriteStatements(events, false)}
}

// ErrFloorChanged: the write found the row at another version (two writers
// on one customer) and wrote nothing.
var ErrFloorChanged = errChanged

// Run runs kind's statements on the customer ref. payload is the event's
// JSON (data-updated carries the customer as the API answers it).
func (f *StackFloor) Run(ctx context.Context, kind FloorKind, ref uuid.UUID, payload []byte) error {
	ctx = context.WithoutCancel(ctx) // no goroutine per query watching the request, as the service's writes
	r, assoc, err := f.read(ctx, ref, kind == FloorAssociates)
	if err != nil || kind == FloorRead {
		return err
	}
	status, event, action, changes := r.Status, EventDataUpdated, audit.ActionCustomerUpdate, ""
	description := r.Description
	switch kind {
	case FloorDetails:
		n := f.n.Add(1)
		description = sql.NullString{String: "stack floor edit " + strconv.FormatUint(n, 10), Valid: true}
		changes = `[{"new":"` + description.String + `","old":"","path":"company.description"}]`
	case FloorStatus:
		status = string(StatusRejected)
		if r.Status == string(StatusRejected) {
			status = string(StatusPending)
		}
		event, action = EventStatusChange, audit.ActionCustomerStatus
		changes = `[{"new":"` + status + `","old":"` + r.Status + `","path":"status"}]`
		payload = []byte(`{"reference":"` + ref.String() + `","status":"` + status + `","previousStatus":"` + r.Status + `","reason":"stack floor"}`)
	case FloorAssociates:
		action, changes = audit.ActionCustomerAssociates, `[]`
	}
	args := make([]any, 0, writeUpdateParams+len(associateArrayTypes)+writeAuditParams+5)
	args = append(args, r.ID, status, r.RiskScore, r.Name, description, r.TaxResidenceCountryCode,
		r.RegistrationNumber, r.AddressLine1, r.AddressLine2, r.City, r.PostalCode, r.CountryCode,
		"apikey:1", floorSearchText(&r, assoc), time.Now().UTC().Truncate(time.Microsecond), r.Website,
		r.ReviewRequired, string(r.ReviewChanges), r.ReviewEditor, r.Version, r.AssigneeID)
	if kind == FloorAssociates {
		args = append(args, associateArgs(assoc)...)
	}
	reason := sql.NullString{}
	if kind == FloorStatus {
		reason = sql.NullString{String: "stack floor", Valid: true}
	}
	args = append(args, "apikey", int64(1), "stack-floor", action, r.ID, nil, changes, reason, nil)
	if kind == FloorStatus {
		args = append(args, r.Status, status)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	args = append(args, id.String(), event, string(payload)) // one event: EmitSQL's single form
	var version, entryID, deliveries int64
	var since time.Time
	err = queryRow(ctx, f.db, []any{&version, &since, &entryID, &deliveries},
		f.write[b2i(kind == FloorAssociates)][b2i(kind == FloorStatus)], args...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrFloorChanged
	}
	return err
}

// read runs the read statement and scans its rows into the store's row
// values; the associates become Associates only when they are written again.
func (f *StackFloor) read(ctx context.Context, ref uuid.UUID, associates bool) (customerRow, []Associate, error) {
	var r customerRow
	rows, err := f.db.QueryContext(ctx, getCustomerSQL, ref)
	if err != nil {
		return r, nil, err
	}
	defer rows.Close()
	var (
		pos      int64
		sink     any
		snapshot sql.NullInt64
		ar       associateRow
		out      []Associate
		first    = true
	)
	cdest := append(append([]any{&pos}, r.dest()...), &snapshot)
	adest := []any{&pos}
	for range associateColumnCount {
		cdest = append(cdest, &sink)
	}
	for range customerColumnCount + 1 {
		adest = append(adest, &sink)
	}
	adest = append(adest, ar.dest()...)
	for rows.Next() {
		dest := adest
		if first {
			dest = cdest
		}
		if err := rows.Scan(dest...); err != nil {
			return r, nil, err
		}
		if !first {
			if associates {
				out = append(out, ar.associate())
			} else {
				out = append(out, Associate{Person: Person{FirstName: ar.FirstName, LastName: ar.LastName}})
			}
		}
		first = false
	}
	if err := rows.Err(); err != nil {
		return r, nil, err
	}
	if first {
		return r, nil, fmt.Errorf("customer %s not found", ref)
	}
	return r, out, nil
}

// floorSearchText is the search text the service stores for the row and
// its associates (searchText's rule).
func floorSearchText(r *customerRow, assoc []Associate) string {
	return searchText(&Customer{Company: Company{Name: r.Name, RegistrationNumber: r.RegistrationNumber, Associates: assoc}})
}

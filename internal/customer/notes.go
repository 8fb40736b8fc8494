package customer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/validate"
)

// Note is an officer's remark on a customer: plain text, never changed or
// deleted (the schema refuses it). A note given as the reason of a status
// change points at that change's audit entry and records the move.
type Note struct {
	ID            int64            `db:"id"`
	CustomerID    int64            `db:"customer_id"`
	AuthorType    access.ActorKind `db:"author_type"`
	AuthorID      *int64           `db:"author_id"`
	AuthorName    string           `db:"author_name"`
	Text          string           `db:"body"`
	StatusEntryID *int64           `db:"status_entry_id"`
	StatusFrom    *Status          `db:"status_from"`
	StatusTo      *Status          `db:"status_to"`
	CreatedAt     time.Time        `db:"created_at"`
}

// NoteInput is what a person or client sends to add a note.
type NoteInput struct {
	Text *string `json:"text"`
}

// CanAddNote tells the pages whether to offer this actor the note form:
// the same permission AddNote checks (officers and admins).
func (s *Service) CanAddNote(a access.Actor) bool { return a.Role.Can(access.PermEdit) }

// NoteText checks a note's text: required, multi-line, at most
// validate.MaxNote characters; errors are keyed "text".
func NoteText(p *string) (string, error) {
	c := newChecker(time.Time{})
	v := c.multiline("text", p, validate.MaxNote, true)
	if v == nil {
		return "", c.err()
	}
	return *v, c.err()
}

// AddNote keeps a stand-alone note on a customer, with its customer.note
// audit entry (which carries the text) in the same transaction.
func (s *Service) AddNote(ctx context.Context, a access.Actor, ref uuid.UUID, in NoteInput) (*Note, error) {
	if err := s.require(a, access.PermEdit, "add notes"); err != nil {
		return nil, err
	}
	text, err := NoteText(in.Text)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	// the customer's row is locked so its events reach subscribers in the
	// order their transactions commit
	var cu struct {
		ID        int64     `db:"id"`
		Reference uuid.UUID `db:"reference"`
		Status    Status    `db:"status"`
	}
	if err := sqlx.GetContext(ctx, tx, &cu, lockCustomerSQL, ref); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound("customer " + ref.String())
		}
		return nil, fmt.Errorf("customer: %w", err)
	}
	id := cu.ID
	n, err := insertNote(ctx, tx, a, id, text, nil, "", "", s.opts.Now())
	if err != nil {
		return nil, err
	}
	ev := Event{Name: EventNoteAdded, CustomerID: id, Data: struct {
		brief
		Note noteEvent `json:"note"`
	}{brief{cu.Reference, cu.Status}, noteEvent{n.ID, n.Text, n.AuthorName, n.CreatedAt}}}
	if _, err := s.record(ctx, tx, audit.Record{Actor: a, Action: audit.ActionCustomerNote, CustomerID: &id,
		Subject: "note " + strconv.FormatInt(n.ID, 10), Reason: text}, ev); err != nil {
		return nil, err
	}
	return n, tx.Commit()
}

const lockCustomerSQL = `SELECT id, reference, status FROM customers WHERE reference = $1 FOR UPDATE`

// noteEvent is a note as the note-added event carries it.
type noteEvent struct {
	ID        int64     `json:"id"`
	Text      string    `json:"text"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"createdAt"`
}

// Notes returns a customer's notes newest first, before note id `before`
// (0 for the newest), at most limit of them.
func (s *Service) Notes(ctx context.Context, a access.Actor, ref uuid.UUID, before int64, limit int) ([]Note, error) {
	if err := s.require(a, access.PermRead, "read customers"); err != nil {
		return nil, err
	}
	id, err := customerID(ctx, s.prepared(nil), ref)
	if err != nil {
		return nil, err
	}
	return s.notesOf(ctx, id, before, limit)
}

func (s *Service) notesOf(ctx context.Context, id, before int64, limit int) ([]Note, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	out := []Note{}
	if err := sqlx.SelectContext(ctx, s.prepared(nil), &out, listNotesSQL, id, before, limit); err != nil {
		return nil, err
	}
	return out, nil
}

const listNotesSQL = `
SELECT id, customer_id, author_type, author_id, author_name, body, status_entry_id, status_from, status_to, created_at
FROM customer_notes WHERE customer_id = $1 AND ($2::bigint = 0 OR id < $2)
ORDER BY id DESC LIMIT $3`

const insertNoteSQL = `
INSERT INTO customer_notes (customer_id, author_type, author_id, author_name, body, status_entry_id, status_from, status_to, created_at)
VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, '')::customer_status, NULLIF($8, '')::customer_status, $9)
RETURNING id, customer_id, author_type, author_id, author_name, body, status_entry_id, status_from, status_to, created_at`

// insertNote stores a note in the caller's transaction; statusEntry, from
// and to link it to a status change (nil, "", "" for a stand-alone note).
func insertNote(ctx context.Context, db sqlx.QueryerContext, a access.Actor, customerID int64, text string,
	statusEntry *int64, from, to Status, at time.Time) (*Note, error) {
	var authorID *int64
	if a.Kind == access.ActorUser || a.Kind == access.ActorAPIKey {
		id := a.ID
		authorID = &id
	}
	name := a.Name
	if name == "" {
		name = string(a.Kind)
	}
	var n Note
	err := sqlx.GetContext(ctx, db, &n, insertNoteSQL, customerID, string(a.Kind), authorID, name, text,
		statusEntry, string(from), string(to), at)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

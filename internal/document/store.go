package document

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/apperr"
)

// The store: hand-written SQL beside each function; functions take the pool
// or the service's transaction.

type row struct {
	ID                int64          `db:"id"`
	Reference         uuid.UUID      `db:"reference"`
	CustomerID        int64          `db:"customer_id"`
	CustomerRef       uuid.UUID      `db:"customer_reference"`
	PersonRef         *uuid.UUID     `db:"person_reference"`
	PersonName        string         `db:"person_name"`
	Type              string         `db:"type"`
	SubType           string         `db:"sub_type"`
	Name              string         `db:"name"`
	Description       string         `db:"description"`
	CountryCode       string         `db:"country_code"`
	ExternalReference string         `db:"external_reference"`
	ContentType       string         `db:"content_type"`
	Size              int64          `db:"size"`
	SHA256            []byte         `db:"sha256"`
	State             string         `db:"state"`
	Reason            string         `db:"reason"`
	UploadedBy        string         `db:"uploaded_by"`
	UploadedPrincipal string         `db:"uploaded_principal"`
	UploadedAt        time.Time      `db:"uploaded_at"`
	ReviewedBy        sql.NullString `db:"reviewed_by"`
	ReviewedPrincipal sql.NullString `db:"reviewed_principal"`
	ReviewedAt        *time.Time     `db:"reviewed_at"`
	SupersededBy      *uuid.UUID     `db:"superseded_by_reference"`
	SupersededAt      *time.Time     `db:"superseded_at"`
}

func (r *row) document() Document {
	d := Document{
		Reference: r.Reference, CustomerRef: r.CustomerRef, PersonRef: r.PersonRef, PersonName: r.PersonName,
		Type: Type(r.Type), SubType: SubType(r.SubType), Name: r.Name, Description: r.Description,
		CountryCode: r.CountryCode, ExternalReference: r.ExternalReference, ContentType: r.ContentType,
		Size: r.Size, SHA256: hex.EncodeToString(r.SHA256), State: State(r.State), Reason: r.Reason,
		UploadedBy: r.UploadedBy, UploadedAt: r.UploadedAt.UTC(), ReviewedBy: r.ReviewedBy.String,
		SupersededBy: r.SupersededBy, uploadedPrincipal: r.UploadedPrincipal,
	}
	if r.ReviewedAt != nil {
		t := r.ReviewedAt.UTC()
		d.ReviewedAt = &t
	}
	if r.SupersededAt != nil {
		t := r.SupersededAt.UTC()
		d.SupersededAt = &t
	}
	return d
}

// selectSQL reads documents with what a Document shows: the customer's
// reference, the associate's current name while it is on the list (else
// the name kept at upload), and the reference of the superseding document.
const selectSQL = `
SELECT d.id, d.reference, d.customer_id, c.reference AS customer_reference, d.person_reference,
       COALESCE(a.first_name || ' ' || a.last_name, d.person_name) AS person_name,
       d.type, d.sub_type, d.name, d.description, d.country_code, d.external_reference, d.content_type,
       d.size, d.sha256, d.state, d.reason, d.uploaded_by, d.uploaded_principal, d.uploaded_at,
       d.reviewed_by, d.reviewed_principal, d.reviewed_at, s.reference AS superseded_by_reference, d.superseded_at
FROM documents d
JOIN customers c ON c.id = d.customer_id
LEFT JOIN associates a ON a.reference = d.person_reference AND a.customer_id = d.customer_id
LEFT JOIN documents s ON s.id = d.superseded_by`

// listSQL orders company documents first, then each associate's in list
// order (removed associates last), newest first.
const listSQL = selectSQL + `
WHERE c.reference = $1
ORDER BY d.person_reference IS NOT NULL, a.position NULLS LAST, d.person_reference, d.uploaded_at DESC, d.id DESC`

func listDocuments(ctx context.Context, db sqlx.QueryerContext, customerRef uuid.UUID) ([]row, error) {
	var out []row
	err := sqlx.SelectContext(ctx, db, &out, listSQL, customerRef)
	return out, err
}

// listOfSQL is listSQL for a customer already read, by its id.
const listOfSQL = selectSQL + `
WHERE d.customer_id = $1
ORDER BY d.person_reference IS NOT NULL, a.position NULLS LAST, d.person_reference, d.uploaded_at DESC, d.id DESC`

func listDocumentsOf(ctx context.Context, q preparedOrNot, customerID int64) ([]row, error) {
	var out []row
	err := q.SelectContext(ctx, &out, customerID)
	return out, err
}

// preparedOrNot runs one fixed query: prepared, or as text until it is.
type preparedOrNot interface {
	SelectContext(ctx context.Context, dest any, args ...any) error
}

// preparedQuery prepares one fixed query on first use; until that succeeds
// (or if it fails) the query runs unprepared.
type preparedQuery struct {
	mu   sync.Mutex
	stmt *sqlx.Stmt
}

type unprepared struct {
	db *sqlx.DB
	q  string
}

func (u unprepared) SelectContext(ctx context.Context, dest any, args ...any) error {
	return sqlx.SelectContext(ctx, u.db, dest, u.q, args...)
}

func (p *preparedQuery) get(ctx context.Context, db *sqlx.DB, q string) preparedOrNot {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stmt == nil {
		if st, err := db.PreparexContext(ctx, q); err == nil {
			p.stmt = st
		} else {
			return unprepared{db, q}
		}
	}
	return p.stmt
}

const getSQL = selectSQL + ` WHERE c.reference = $1 AND d.reference = $2`

// getDocument reads one document of a customer; forUpdate locks its row.
func getDocument(ctx context.Context, db sqlx.QueryerContext, customerRef, ref uuid.UUID, forUpdate bool) (*row, error) {
	q := getSQL
	if forUpdate {
		q += ` FOR UPDATE OF d`
	}
	var r row
	if err := sqlx.GetContext(ctx, db, &r, q, customerRef, ref); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound("document " + ref.String())
		}
		return nil, fmt.Errorf("document: %w", err)
	}
	return &r, nil
}

const currentSQL = selectSQL + `
WHERE d.customer_id = $1 AND d.person_reference IS NOT DISTINCT FROM $2 AND d.type = $3 AND d.sub_type = $4
  AND d.superseded_by IS NULL`

// currentDocument is the current document of a slot (person, type,
// sub-type), or nil.
func currentDocument(ctx context.Context, db sqlx.QueryerContext, customerID int64, person *uuid.UUID, t Type, sub SubType) (*row, error) {
	var r row
	err := sqlx.GetContext(ctx, db, &r, currentSQL, customerID, person, string(t), string(sub))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

const nextIDSQL = `SELECT nextval(pg_get_serial_sequence('documents', 'id'))`

// nextID reserves a document id: the chunks are written under it before
// the document's row (which needs the hash) exists.
func nextID(ctx context.Context, db sqlx.QueryerContext) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, db, &id, nextIDSQL)
	return id, err
}

const insertChunkSQL = `INSERT INTO document_chunks (document_id, seq, data) VALUES ($1, $2, $3)`

func insertChunk(ctx context.Context, db sqlx.ExecerContext, id int64, seq int, data []byte) error {
	_, err := db.ExecContext(ctx, insertChunkSQL, id, seq, data)
	return err
}

const deleteChunksSQL = `DELETE FROM document_chunks WHERE document_id = $1`

// deleteChunks drops the chunks of a reserved id whose file was a duplicate;
// no document row was written for them.
func deleteChunks(ctx context.Context, db sqlx.ExecerContext, id int64) error {
	_, err := db.ExecContext(ctx, deleteChunksSQL, id)
	return err
}

const chunkSQL = `SELECT data FROM document_chunks WHERE document_id = $1 AND seq = $2`

// readChunk reads one chunk into a fresh slice.
func readChunk(ctx context.Context, db sqlx.QueryerContext, id int64, seq int) ([]byte, error) {
	var data []byte
	if err := sqlx.GetContext(ctx, db, &data, chunkSQL, id, seq); err != nil {
		return nil, fmt.Errorf("document %d chunk %d: %w", id, seq, err)
	}
	return data, nil
}

const supersedeSQL = `UPDATE documents SET superseded_by = $2, superseded_at = $3 WHERE id = $1 AND superseded_by IS NULL`

func supersede(ctx context.Context, db sqlx.ExecerContext, oldID, newID int64, at time.Time) error {
	_, err := db.ExecContext(ctx, supersedeSQL, oldID, newID, at)
	return err
}

const insertSQL = `
INSERT INTO documents (id, reference, customer_id, person_reference, person_name, type, sub_type, name, description,
                       country_code, external_reference, content_type, size, sha256, uploaded_by, uploaded_principal, uploaded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`

func insertDocument(ctx context.Context, db sqlx.ExecerContext, r *row) error {
	_, err := db.ExecContext(ctx, insertSQL, r.ID, r.Reference, r.CustomerID, r.PersonRef, r.PersonName, r.Type,
		r.SubType, r.Name, r.Description, r.CountryCode, r.ExternalReference, r.ContentType, r.Size, r.SHA256,
		r.UploadedBy, r.UploadedPrincipal, r.UploadedAt)
	return err
}

const reviewSQL = `
UPDATE documents SET state = $2, reason = $3, reviewed_by = $4, reviewed_principal = $5, reviewed_at = $6
WHERE id = $1`

func reviewDocument(ctx context.Context, db sqlx.ExecerContext, r *row) error {
	_, err := db.ExecContext(ctx, reviewSQL, r.ID, r.State, r.Reason, r.ReviewedBy, r.ReviewedPrincipal, r.ReviewedAt)
	return err
}

// slot is the evidence view of a current document.
type slot struct {
	CustomerID int64      `db:"customer_id"`
	PersonRef  *uuid.UUID `db:"person_reference"`
	Type       string     `db:"type"`
	SubType    string     `db:"sub_type"`
	State      string     `db:"state"`
}

const currentSlotsSQL = `
SELECT customer_id, person_reference, type, sub_type, state FROM documents
WHERE customer_id = ANY($1) AND superseded_by IS NULL`

// currentSlots reads the current documents of some customers, for the
// evidence rule.
func currentSlots(ctx context.Context, db sqlx.QueryerContext, customerIDs []int64) ([]slot, error) {
	var out []slot
	err := sqlx.SelectContext(ctx, db, &out, currentSlotsSQL, pq.Array(customerIDs))
	return out, err
}

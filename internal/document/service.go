package document

import (
	"context"
	"database/sql"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/validate"
)

// Audit actions, written to the customer's history in the same transaction
// as the change. Subject is the document's reference; Changes hold:
//
//	document.upload: type, subType, name, person (the associate's reference,
//	  absent for the company), personName, size, sha256, contentType, and
//	  supersedes (the reference of the document it replaced) when it did.
//	document.review: state (old PENDING_REVIEW, new ACCEPTED or REJECTED);
//	  the entry's reason is the reviewer's reason.
const (
	ActionUpload = "document.upload"
	ActionReview = "document.review"
)

// Service is the one way to store, read and review documents; pages and API
// both call it.
type Service struct {
	db        *sqlx.DB
	customers *customer.Service
	opts      Options
	listOf    preparedQuery // the customer page's read, planned once per connection
}

// NewService wires the service to its database and the customer service.
func NewService(db *sqlx.DB, customers *customer.Service, opts Options) *Service {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.MaxFiles <= 0 {
		opts.MaxFiles = DefaultMaxFiles
	}
	clock := opts.Now
	if clock == nil {
		clock = time.Now
	}
	opts.Now = func() time.Time { return clock().UTC().Truncate(time.Microsecond) }
	return &Service{db: db, customers: customers, opts: opts}
}

// Options are the service's settings (limits for the pages' hints).
func (s *Service) Options() Options { return s.opts }

// List returns all of a customer's documents, superseded ones too: company
// first, then by person (in the associates' order, removed associates
// last), newest first.
func (s *Service) List(ctx context.Context, a access.Actor, customerRef uuid.UUID) ([]Document, error) {
	if err := require(a, access.PermRead, "read documents"); err != nil {
		return nil, err
	}
	rows, err := listDocuments(ctx, s.db, customerRef)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 { // no documents, or no such customer
		if _, err := s.customers.Get(ctx, a, customerRef); err != nil {
			return nil, err
		}
	}
	out := make([]Document, len(rows))
	for i := range rows {
		out[i] = rows[i].document()
	}
	return out, nil
}

// ListOf is List for a customer just read (the customer page): by its id,
// in one query, without looking the customer up again.
func (s *Service) ListOf(ctx context.Context, a access.Actor, c *customer.Customer) ([]Document, error) {
	if err := require(a, access.PermRead, "read documents"); err != nil {
		return nil, err
	}
	rows, err := listDocumentsOf(ctx, s.listOf.get(ctx, s.db, listOfSQL), c.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Document, len(rows))
	for i := range rows {
		out[i] = rows[i].document()
	}
	return out, nil
}

// Get returns one document of a customer.
func (s *Service) Get(ctx context.Context, a access.Actor, customerRef, docRef uuid.UUID) (*Document, error) {
	if err := require(a, access.PermRead, "read documents"); err != nil {
		return nil, err
	}
	r, err := getDocument(ctx, s.db, customerRef, docRef, false)
	if err != nil {
		return nil, err
	}
	d := r.document()
	return &d, nil
}

// WriteContent calls head(doc) before the first byte (set headers there),
// then streams the bytes to w one stored chunk at a time, so a download
// holds one chunk in memory whatever the file's size. Chunks never change
// once written, so reading them outside a transaction is consistent.
func (s *Service) WriteContent(ctx context.Context, a access.Actor, customerRef, docRef uuid.UUID, head func(*Document), w io.Writer) error {
	if err := require(a, access.PermRead, "read documents"); err != nil {
		return err
	}
	r, err := getDocument(ctx, s.db, customerRef, docRef, false)
	if err != nil {
		return err
	}
	d := r.document()
	head(&d)
	chunks := int((r.Size + ChunkSize - 1) / ChunkSize)
	for seq := 0; seq < chunks; seq++ {
		data, err := readChunk(ctx, s.db, r.ID, seq)
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return nil
}

// Review records a decision on a current document pending review. The
// customer row is locked as for every customer write (so an approval and a
// review never overlap) but its version does not change. A decision is
// final: to change one, upload the document again (it supersedes).
func (s *Service) Review(ctx context.Context, a access.Actor, customerRef, docRef uuid.UUID, in ReviewInput) (*Document, error) {
	if err := require(a, access.PermEdit, "review documents"); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(validate.NormalizeLines(in.Reason))
	errs := apperr.FieldErrors{}
	if in.Decision != StateAccepted && in.Decision != StateRejected {
		errs.Add("decision", "must be ACCEPTED or REJECTED")
	}
	if msg := validate.MultilineText(in.Reason, MaxReason, in.Decision == StateRejected); msg != "" {
		errs.Add("reason", msg)
	}
	if err := apperr.Invalid(errs); err != nil {
		return nil, err
	}
	tx, cur, err := s.customers.BeginWrite(ctx, customerRef)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	r, err := getDocument(ctx, tx, customerRef, docRef, true)
	if err != nil {
		return nil, err
	}
	switch {
	case r.SupersededBy != nil:
		return nil, apperr.Conflict("document_superseded", "This document was replaced by a newer upload; review that one.")
	case State(r.State) != StatePending:
		return nil, apperr.Conflict("document_reviewed", "This document was already %s; upload it again to have it reviewed anew.", strings.ToLower(string(r.State)))
	case r.UploadedPrincipal == a.Principal():
		return nil, apperr.Conflict("four_eyes", "Four-eyes rule: you uploaded this document, so someone else must review it.")
	}
	now := s.opts.Now()
	old := r.State
	r.State, r.Reason, r.ReviewedAt = string(in.Decision), reason, &now
	r.ReviewedBy = sql.NullString{String: a.String(), Valid: true}
	r.ReviewedPrincipal = sql.NullString{String: a.Principal(), Valid: true}
	if err := reviewDocument(ctx, tx, r); err != nil {
		return nil, err
	}
	d := r.document()
	if err := s.customers.Record(ctx, tx, audit.Record{Actor: a, Action: ActionReview, CustomerID: &cur.ID, Subject: r.Reference.String(),
		Changes: []audit.Change{{Path: "state", Old: old, New: r.State}}, Reason: reason},
		customer.EventAbout(customer.EventDocumentReviewed, cur, "document", eventOf(&d, nil))); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return &d, nil
}

// MaxReason bounds a review's reason.
const MaxReason = 2000

// CanUpload tells whether the actor may upload documents: officers and
// admins (the edit permission).
func (s *Service) CanUpload(a access.Actor) bool { return a.Role.Can(access.PermEdit) }

// CanReview tells whether the actor may decide on d: officers and admins,
// not the uploader's principal, and only a current document pending review.
func (s *Service) CanReview(a access.Actor, d *Document) bool {
	return a.Role.Can(access.PermEdit) && d.Current() && d.State == StatePending && d.uploadedPrincipal != a.Principal()
}

// Missing lists the evidence the approval rule wants and the customer lacks
// (missing, pending or rejected), as problems; the pages show them as a
// warning when the rule is off.
func (s *Service) Missing(ctx context.Context, a access.Actor, c *customer.Customer) ([]customer.Problem, error) {
	if err := require(a, access.PermRead, "read documents"); err != nil {
		return nil, err
	}
	return rule{}.Missing(ctx, s.db, c)
}

// MissingIn is Missing worked out from the customer's documents as ListOf
// read them (the customer page has them already): no query.
func (s *Service) MissingIn(c *customer.Customer, docs []Document) []customer.Problem {
	var current []slot
	for i := range docs {
		if d := &docs[i]; d.Current() {
			current = append(current, slot{CustomerID: c.ID, PersonRef: d.PersonRef, Type: string(d.Type),
				SubType: string(d.SubType), State: string(d.State)})
		}
	}
	return evidenceProblems(c, current)
}

func require(a access.Actor, p access.Permission, what string) error {
	if !a.Role.Can(p) {
		return apperr.Forbidden("your role (%s) may not %s", a.Role, what)
	}
	return nil
}

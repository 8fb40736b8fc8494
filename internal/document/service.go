package document

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
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

var errNotImplemented = errors.New("not implemented")

// Upload stores files in one transaction with one audit entry per document
// (all or nothing). next yields the files in order and returns io.EOF after
// the last. A new current document of the same person, type and sub-type
// supersedes the old one.
func (s *Service) Upload(ctx context.Context, a access.Actor, customerRef uuid.UUID, next func() (*Upload, error)) ([]Uploaded, error) {
	return nil, errNotImplemented
}

// List returns all of a customer's documents, superseded ones too: company
// first, then by person, newest first.
func (s *Service) List(ctx context.Context, a access.Actor, customerRef uuid.UUID) ([]Document, error) {
	return nil, errNotImplemented
}

// Get returns one document of a customer.
func (s *Service) Get(ctx context.Context, a access.Actor, customerRef, docRef uuid.UUID) (*Document, error) {
	return nil, errNotImplemented
}

// WriteContent calls head(doc) before the first byte (set headers there),
// then streams the bytes to w.
func (s *Service) WriteContent(ctx context.Context, a access.Actor, customerRef, docRef uuid.UUID, head func(*Document), w io.Writer) error {
	return errNotImplemented
}

// Review records a decision on a pending document.
func (s *Service) Review(ctx context.Context, a access.Actor, customerRef, docRef uuid.UUID, in ReviewInput) (*Document, error) {
	return nil, errNotImplemented
}

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
	return nil, errNotImplemented
}

func require(a access.Actor, p access.Permission, what string) error {
	if !a.Role.Can(p) {
		return apperr.Forbidden("your role (%s) may not %s", a.Role, what)
	}
	return nil
}

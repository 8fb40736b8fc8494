package document

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/customer"
)

// Problem codes of missing evidence, beside customer's approval problems.
const (
	ProblemDocumentMissing  = "document_missing"
	ProblemDocumentPending  = "document_pending"
	ProblemDocumentRejected = "document_rejected"
)

// ApprovalRule is the evidence precondition that customer.Options.Evidence
// runs inside the approving transaction when APPROVAL_REQUIRES_DOCUMENTS is on.
func ApprovalRule() customer.EvidenceChecker { return rule{} }

type rule struct{}

// Missing lists the evidence c lacks, read through db (the approving
// transaction, or the pool).
func (rule) Missing(ctx context.Context, db sqlx.QueryerContext, c *customer.Customer) ([]customer.Problem, error) {
	return nil, errNotImplemented
}

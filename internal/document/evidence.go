package document

import (
	"context"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/customer"
)

// Problem codes of evidence approval lacks, beside customer's approval
// problems: nothing uploaded, uploaded but not yet reviewed, or rejected.
const (
	ProblemDocumentMissing  = "document_missing"
	ProblemDocumentPending  = "document_pending"
	ProblemDocumentRejected = "document_rejected"
)

// PathCompanyDocuments is the path of the company's evidence problems; an
// associate's is company.associates[i].documents.
const PathCompanyDocuments = "documents.company"

// companyEvidence are the company documents that prove it exists.
var companyEvidence = []SubType{SubIncorporationCert, SubRegisterExtract}

// identityTypes are the documents that prove who an associate is.
var identityTypes = []Type{TypePassport, TypeIDCard, TypeDriversLicense, TypeResidencePermit}

// ApprovalRule is the evidence precondition that customer.Options.Evidence
// runs inside the approving transaction when APPROVAL_REQUIRES_DOCUMENTS is
// on: the company has an accepted current certificate of incorporation or
// register extract, and every associate with ownership or control has an
// accepted current identity document of their documentInfo type (any
// identity type while that is unknown).
func ApprovalRule() customer.EvidenceChecker { return rule{} }

type rule struct{}

// Missing lists the evidence c lacks, read through db (the approving
// transaction, or the pool).
func (r rule) Missing(ctx context.Context, db sqlx.QueryerContext, c *customer.Customer) ([]customer.Problem, error) {
	out, err := r.MissingEach(ctx, db, []*customer.Customer{c})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// MissingEach is Missing for many customers in one query.
func (rule) MissingEach(ctx context.Context, db sqlx.QueryerContext, list []*customer.Customer) ([][]customer.Problem, error) {
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	slots, err := currentSlots(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	byCustomer := map[int64][]slot{}
	for _, s := range slots {
		byCustomer[s.CustomerID] = append(byCustomer[s.CustomerID], s)
	}
	out := make([][]customer.Problem, len(list))
	for i, c := range list {
		out[i] = evidenceProblems(c, byCustomer[c.ID])
	}
	return out, nil
}

// evidenceProblems applies the rule to one customer's current documents.
func evidenceProblems(c *customer.Customer, docs []slot) []customer.Problem {
	out := []customer.Problem{}
	company := best(docs, func(s slot) bool {
		return s.PersonRef == nil && Type(s.Type) == TypeCompanyDoc && containsSub(companyEvidence, SubType(s.SubType))
	})
	if company != StateAccepted {
		out = append(out, customer.Problem{Code: code(company), Path: PathCompanyDocuments, Associate: -1,
			Message: companyMessage(company)})
	}
	for i := range c.Company.Associates {
		a := &c.Company.Associates[i]
		if !a.Controls.HasOwnership && !a.Controls.HasControl {
			continue
		}
		want := wantedIdentity(a)
		ref := a.Person.Reference
		got := best(docs, func(s slot) bool {
			return s.PersonRef != nil && *s.PersonRef == ref && containsType(want, Type(s.Type))
		})
		if got == StateAccepted {
			continue
		}
		out = append(out, customer.Problem{Code: code(got), Path: "company.associates[" + strconv.Itoa(i) + "].documents",
			Associate: i, Message: associateMessage(a, want, got)})
	}
	return out
}

// best is the most favourable state among the matching documents:
// ACCEPTED, then PENDING_REVIEW, then REJECTED; "" when none matches.
func best(docs []slot, match func(slot) bool) State {
	var got State
	rank := map[State]int{"": 0, StateRejected: 1, StatePending: 2, StateAccepted: 3}
	for _, d := range docs {
		if match(d) && rank[State(d.State)] > rank[got] {
			got = State(d.State)
		}
	}
	return got
}

// wantedIdentity is the identity document type an associate needs: the
// type of their documentInfo, or any identity type while it is unknown.
func wantedIdentity(a *customer.Associate) []Type {
	if t := a.Details.DocumentInfo.Type; t != nil {
		if pt, ok := ParseType(*t); ok && containsType(identityTypes, pt) {
			return []Type{pt}
		}
	}
	return identityTypes
}

func containsType(list []Type, t Type) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}

func code(s State) string {
	switch s {
	case StatePending:
		return ProblemDocumentPending
	case StateRejected:
		return ProblemDocumentRejected
	}
	return ProblemDocumentMissing
}

func companyMessage(s State) string {
	switch s {
	case StatePending:
		return "The company's certificate of incorporation or register extract awaits review."
	case StateRejected:
		return "The company's certificate of incorporation or register extract was rejected; upload a new one."
	}
	return "The company has no certificate of incorporation or register extract."
}

func associateMessage(a *customer.Associate, want []Type, s State) string {
	what := "identity document"
	if len(want) == 1 {
		what = lower(want[0].Label())
	}
	switch s {
	case StatePending:
		return a.FullName() + "'s " + what + " awaits review."
	case StateRejected:
		return a.FullName() + "'s " + what + " was rejected; upload a new one."
	}
	return a.FullName() + " has no " + what + " on file."
}

// lower makes a label fit mid-sentence ("Passport" → "passport", "ID card" stays).
func lower(s string) string {
	if len(s) > 1 && s[1] >= 'a' && s[1] <= 'z' {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

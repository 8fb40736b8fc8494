package customer

import (
	"strconv"
	"strings"
	"time"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
)

// The codes of approval problems: stable words the API sends in
// details.problems and the pages word and link as they see fit.
const (
	ProblemNoAssociates       = "no_associates"
	ProblemNoControl          = "no_control"
	ProblemMissingDateOfBirth = "missing_date_of_birth"
	ProblemIncompleteDocument = "incomplete_document"
	ProblemFourEyes           = "four_eyes"
)

// Problem is one thing standing between a customer and approval: data, not
// prose, so a page can link it to the field it names without reading the
// sentence. Message is a sentence without paths in it.
type Problem struct {
	Code    string `json:"code"`
	Path    string `json:"path"` // the customer-shape path, "" for the customer as a whole
	Message string `json:"message"`
	// Associate is the index in company.associates the problem is about,
	// -1 when it is about no single associate.
	Associate int `json:"-"`
	// Field is the associate's input to fix (relative to the associate, e.g.
	// "person.dateOfBirth"), "" when the problem is not about one input.
	Field string `json:"-"`
}

// associatePath is the customer-shape path of the i-th associate, or of one
// of its fields when field is not empty.
func associatePath(i int, field string) string {
	p := "company.associates[" + strconv.Itoa(i) + "]"
	if field != "" {
		p += "." + field
	}
	return p
}

// ApprovalProblems lists every unmet approval precondition (design.md: a
// refusal lists them all), customer-wide ones first, then by associate.
func ApprovalProblems(c *Customer) []Problem {
	var out []Problem
	list := c.Company.Associates
	if len(list) == 0 {
		out = append(out, Problem{Code: ProblemNoAssociates, Path: "company.associates", Associate: -1,
			Message: "The customer has no associates; add at least one."})
	}
	control := false
	for i := range list {
		control = control || list[i].Controls.HasControl
	}
	if !control {
		out = append(out, Problem{Code: ProblemNoControl, Path: "company.associates", Associate: -1,
			Message: "No associate has control of the company."})
	}
	for i := range list {
		a := &list[i]
		if a.Person.DateOfBirth == nil {
			out = append(out, Problem{Code: ProblemMissingDateOfBirth, Path: associatePath(i, "person.dateOfBirth"),
				Associate: i, Field: "person.dateOfBirth", Message: a.FullName() + " has no date of birth."})
		}
		if !a.HasCompleteDocument() {
			out = append(out, Problem{Code: ProblemIncompleteDocument, Path: associatePath(i, "details.documentInfo"),
				Associate: i, Field: firstMissingDocumentPart(a),
				Message: a.FullName() + " has no complete identity document (type, number and issuing country)."})
		}
	}
	return out
}

// firstMissingDocumentPart is the document input to fill first, in the
// order the associates editor shows them.
func firstMissingDocumentPart(a *Associate) string {
	d := a.Details.DocumentInfo
	switch {
	case d.Type == nil:
		return "details.documentInfo.type"
	case d.Number == nil:
		return "details.documentInfo.number"
	}
	return "details.documentInfo.issuingCountryCode"
}

// Messages are the problems' sentences, for callers that want words only.
func Messages(problems []Problem) []string {
	out := make([]string, len(problems))
	for i, p := range problems {
		out[i] = p.Message
	}
	return out
}

// ApprovalError is a refused approval with every problem as data. The
// service returns it as the Detail of an apperr conflict
// (approval_preconditions or four_eyes), so the one error handler answers
// 409 with details.unmet (the sentences) and details.problems ({code, path,
// message}), and the pages read it with errors.As.
type ApprovalError struct {
	Problems []Problem
	message  string
}

func newApprovalError(code string, problems []Problem) error {
	e := apperr.Conflict(code, "The customer cannot be approved: %s", strings.Join(Messages(problems), " "))
	e.Extra = map[string]any{"unmet": Messages(problems), "problems": problems}
	e.Detail = &ApprovalError{Problems: problems, message: e.Message}
	return e
}

func (e *ApprovalError) Error() string { return e.message }

// StaleError is a write refused because the customer changed since the
// writer loaded it: who made the newer change, when, and what it touched.
// The service returns it as the Detail of the apperr stale kind (412
// version_mismatch), whose details keep the documented names
// (currentVersion, etag, changedBy, changedAt, changedFields, changes).
type StaleError struct {
	Current int            // the customer's version now
	ETag    string         // its entity tag
	By      string         // who made the latest change; "" when the trail cannot say
	At      time.Time      // when
	Fields  []string       // the paths it changed
	Changes []audit.Change // what it changed, old and new
	message string
}

func newStaleError(cur *Customer, last *audit.Entry) error {
	s := &StaleError{Current: cur.Version, ETag: cur.ETag()}
	e := apperr.New(apperr.KindStale, "version_mismatch",
		"This customer has changed since you loaded it (now version %d).", cur.Version)
	e.Extra = map[string]any{"currentVersion": s.Current, "etag": s.ETag}
	if last != nil {
		s.By, s.At, s.Changes = actorLabel(last), last.OccurredAt.UTC(), last.Changes
		s.Fields = make([]string, 0, len(last.Changes))
		for _, c := range last.Changes {
			s.Fields = append(s.Fields, c.Path)
		}
		e.Message = "This customer was changed by " + s.By + " at " + s.At.Format("2 Jan 2006 15:04 UTC") + " since you loaded it."
		e.Extra["changedBy"] = s.By
		e.Extra["changedAt"] = s.At
		e.Extra["changedFields"] = s.Fields
		e.Extra["changes"] = s.Changes
	}
	s.message = e.Message
	e.Detail = s
	return e
}

func (e *StaleError) Error() string { return e.message }

// Message is the sentence a person reads.
func (e *StaleError) Message() string { return e.message }

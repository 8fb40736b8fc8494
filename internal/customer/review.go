package customer

import (
	"context"
	"encoding/json"

	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
)

// ProblemReviewRequired is the required action of a VERIFIED customer changed
// materially since approval.
const ProblemReviewRequired = "review_required"

// ActionCustomerReviewConfirm is the audit action of "Confirm verification".
const ActionCustomerReviewConfirm = "customer.review_confirm"

// associatePathRE splits an audited associate path into the part after
// "company.associates[<reference>]."
var associatePathRE = regexp.MustCompile(`^company\.associates\[[^\]]+\]\.(.+)$`)

// IsMaterial is THE rule of re-review: whether a change to this audited path
// of a VERIFIED customer needs an admin to look again. Material: the company's
// name, registration number, tax residence and registered address; an
// associate's identity (first and last name, date of birth, birth country,
// identity document, tax identification) and controls; and an associate added
// or removed (its name appears or disappears). Not material: description,
// website, the risk scores (the officer's own assessment), an associate's
// contact details, home address, title, position and verification link.
func IsMaterial(path string) bool {
	switch path {
	case "company.name", "company.registrationNumber", "company.taxResidenceCountryCode":
		return true
	}
	if strings.HasPrefix(path, "company.address.") {
		return true
	}
	m := associatePathRE.FindStringSubmatch(path)
	if m == nil {
		return false
	}
	switch rest := m[1]; {
	case rest == "person.firstName", rest == "person.lastName", rest == "person.dateOfBirth",
		rest == "details.birthCountryCode", rest == "details.documentNumber":
		return true
	case strings.HasPrefix(rest, "details.documentInfo."), strings.HasPrefix(rest, "details.taxIdentification."),
		strings.HasPrefix(rest, "controls."):
		return true
	}
	return false
}

// materialChanges keeps the material ones of an edit's changes.
func materialChanges(diff []audit.Change) []audit.Change {
	var out []audit.Change
	for _, ch := range diff {
		if IsMaterial(ch.Path) {
			out = append(out, ch)
		}
	}
	return out
}

// accumulate adds an edit's material changes to those since approval: one
// entry per path, keeping the value at approval (the first old) and the latest new.
func accumulate(since, more []audit.Change) []audit.Change {
	out := append([]audit.Change(nil), since...)
	for _, ch := range more {
		found := false
		for i := range out {
			if out[i].Path == ch.Path {
				out[i].New, found = ch.New, true
				break
			}
		}
		if !found {
			out = append(out, ch)
		}
	}
	return out
}

// markReview raises review required on next when the edit turning cur into
// it is material and the customer is and stays VERIFIED; a status move
// clears it (so does the database trigger, for older binaries' writes).
func markReview(a access.Actor, cur, next *Customer, diff []audit.Change, edit bool) {
	if next.Status != cur.Status {
		next.ReviewRequired, next.ReviewChanges, next.ReviewEditor = false, nil, nil
		return
	}
	if !edit || cur.Status != StatusVerified {
		return
	}
	material := materialChanges(diff)
	if len(material) == 0 {
		return
	}
	who := a.Principal()
	next.ReviewRequired, next.ReviewChanges, next.ReviewEditor = true, accumulate(cur.ReviewChanges, material), &who
}

// RequiredActions are what stands between the customer and a settled case:
// the unmet approval conditions of a PENDING customer, and a pending
// re-review of a VERIFIED one. Never nil.
func RequiredActions(c *Customer) []Problem {
	out := []Problem{}
	if c.Status == StatusPending {
		out = append(out, ApprovalProblems(c)...)
		out = append(out, c.Evidence...)
	}
	if c.ReviewRequired {
		out = append(out, Problem{Code: ProblemReviewRequired, Path: "reviewRequired", Associate: -1,
			Message: "The customer changed materially since approval; an admin must confirm its verification, reject it or reopen it."})
	}
	return out
}

// CanConfirmReview tells the pages whether to offer "Confirm verification".
func (s *Service) CanConfirmReview(a access.Actor, c *Customer) bool {
	return c.ReviewRequired && a.Role.Can(access.PermDecide)
}

// ReviewFourEyes tells whether the actor made the latest material change
// (and so may not confirm it), when the four-eyes rule is on.
func (s *Service) ReviewFourEyes(a access.Actor, c *Customer) bool {
	return s.opts.FourEyes && c.ReviewEditor != nil && *c.ReviewEditor == a.Principal()
}

// ConfirmReview is "Confirm verification": an admin has looked at the changes
// since approval and the customer stays VERIFIED. It clears the flag and
// writes customer.review_confirm in the same transaction; the reason is
// required at the pages (interactive). 409 not_review_required when there is
// nothing to confirm, 409 four_eyes for the author of the latest material change.
func (s *Service) ConfirmReview(ctx context.Context, a access.Actor, ref uuid.UUID, reasonIn string, ifMatch Versions, interactive bool) (*Customer, error) {
	if err := s.require(a, access.PermDecide, "confirm a verification"); err != nil {
		return nil, err
	}
	reason, err := ReasonText(&reasonIn)
	if err != nil {
		return nil, err
	}
	if interactive && reason == "" {
		return nil, apperr.Invalid(apperr.FieldErrors{"reason": {"is required"}})
	}
	tx, cur, err := s.locked(ctx, ref, ifMatch)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	db := s.prepared(tx)
	if !cur.ReviewRequired {
		return nil, apperr.Conflict("not_review_required", "the customer has no changes since approval to confirm")
	}
	if s.ReviewFourEyes(a, cur) {
		return nil, newApprovalError("four_eyes", []Problem{{Code: ProblemFourEyes, Associate: -1,
			Message: "Four-eyes rule: you made the latest material change to this customer, so someone else must confirm its verification."}})
	}
	next := *cur
	next.ReviewRequired, next.ReviewChanges, next.ReviewEditor = false, nil, nil
	next.UpdatedAt = s.opts.Now().UTC()
	diff := []audit.Change{{Path: "reviewRequired", Old: true, New: false}}
	// the change, its entry and the reason as its note in one statement, then the event
	_, err = writeChange(ctx, db, written{next: &next, note: true, from: cur.Status, to: next.Status,
		entry: audit.Record{Actor: a, Action: ActionCustomerReviewConfirm, CustomerID: &next.ID, Changes: diff, Reason: reason}})
	if err != nil {
		return nil, err
	}
	ev := Event{Name: EventReviewConfirmed, CustomerID: next.ID, Data: struct {
		brief
		Reason string `json:"reason,omitempty"`
	}{briefOf(&next), reason}}
	if err := s.emit(ctx, tx, ev); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return &next, nil
}

// reviewChangesOf reads the stored changes since approval.
func reviewChangesOf(raw []byte) []audit.Change {
	if len(raw) == 0 || string(raw) == "[]" { // "[]": no review, as on nearly every read
		return nil
	}
	var out []audit.Change
	_ = json.Unmarshal(raw, &out) // written by reviewChangesJSON only
	if len(out) == 0 {
		return nil
	}
	return out
}

// reviewChangesJSON is what review_changes stores.
func reviewChangesJSON(list []audit.Change) []byte {
	if len(list) == 0 {
		return []byte("[]")
	}
	raw, _ := json.Marshal(list)
	return raw
}

package customer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
)

// MaxBulk is how many customers one bulk action may change: each is its own
// transaction, so a larger batch belongs to an import or a script.
const MaxBulk = 1000

// Bulk actions of the customers list.
const (
	BulkAssign = "assign" // Assign each to one person (BulkAction.Assignee)
	BulkReject = "reject" // SetStatus REJECTED with one reason (admins)
)

// BulkItem is one selected customer with the version the person saw (0: any).
type BulkItem struct {
	Reference uuid.UUID
	Version   int
}

// BulkAction is what to do to every selected customer.
type BulkAction struct {
	Kind     string
	Assignee string // BulkAssign: as Assign's who
	Reason   string // BulkReject: required
}

// BulkResult is the outcome for one customer, said in words.
type BulkResult struct {
	Reference uuid.UUID
	Name      string // "" when the customer was not found
	OK        bool
	Code      string // why it was refused, as the API's error codes ("version_mismatch", "forbidden", …); "" when OK
	Message   string // what happened, or why it was refused
}

// Bulk applies one action to each item, each in its own transaction with
// its own audit entry, through the same methods as the single actions
// (Assign, SetStatus): their permissions and rules decide, and one refusal
// leaves the others done. It refuses the whole batch only when it cannot be
// read: an unknown action, a missing reject reason, too many or none.
func (s *Service) Bulk(ctx context.Context, a access.Actor, items []BulkItem, act BulkAction) ([]BulkResult, error) {
	if err := s.require(a, access.PermEdit, "change customers in bulk"); err != nil {
		return nil, err
	}
	errs := apperr.FieldErrors{}
	switch {
	case len(items) == 0:
		errs.Add("selected", "choose at least one customer")
	case len(items) > MaxBulk:
		errs.Add("selected", fmt.Sprintf("at most %d customers at once", MaxBulk))
	}
	switch act.Kind {
	case BulkAssign:
	case BulkReject:
		if err := s.require(a, access.PermDecide, "reject customers"); err != nil {
			return nil, err
		}
		if strings.TrimSpace(act.Reason) == "" {
			errs.Add("reason", "is required")
		}
	default:
		errs.Add("action", "must be assign or reject")
	}
	if err := apperr.Invalid(errs); err != nil {
		return nil, err
	}
	out := make([]BulkResult, 0, len(items))
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		var ifMatch Versions
		if it.Version > 0 {
			ifMatch = Versions{it.Version}
		}
		r := BulkResult{Reference: it.Reference}
		before, err := s.Get(ctx, a, it.Reference)
		if err == nil {
			r.Name = before.Company.Name
			err = s.bulkOne(ctx, a, it.Reference, ifMatch, act, &r, before)
		}
		if err != nil {
			if r.Code, r.Message, err = refusal(err); err != nil {
				return out, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// bulkOne applies the action to one customer (as it was read: before) and
// words the outcome in r.
func (s *Service) bulkOne(ctx context.Context, a access.Actor, ref uuid.UUID, ifMatch Versions, act BulkAction, r *BulkResult, before *Customer) error {
	if act.Kind == BulkReject {
		c, err := s.SetStatus(ctx, a, ref, StatusChange{Status: string(StatusRejected), Reason: &act.Reason}, ifMatch, true)
		if err != nil {
			return err
		}
		r.OK, r.Message = true, "Rejected."
		if before.Status == StatusRejected && c.Version == before.Version {
			r.Message = "Already rejected: nothing to change."
		}
		return nil
	}
	c, err := s.Assign(ctx, a, ref, act.Assignee, ifMatch)
	if err != nil {
		return err
	}
	r.OK, r.Message = true, "Unassigned."
	if c.Assignee != nil {
		r.Message = "Assigned to " + c.Assignee.Name + "."
	}
	return nil
}

// refusal words why the service refused one customer, with the error's
// code; an unexpected error (the database is gone) is returned to stop the batch.
func refusal(err error) (code, message string, _ error) {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.KindInternal || errors.Is(err, context.Canceled) {
		return "", "", err
	}
	switch e.Kind {
	case apperr.KindStale:
		return e.Code, "Refused: someone changed this customer after you opened the list. Open it and try again.", nil
	case apperr.KindForbidden:
		return e.Code, "Refused: not allowed — " + e.Message + ".", nil
	case apperr.KindNotFound:
		return e.Code, "Refused: no such customer.", nil
	case apperr.KindInvalid:
		var parts []string
		for path, msgs := range e.Fields {
			parts = append(parts, path+" "+strings.Join(msgs, ", "))
		}
		sort.Strings(parts)
		return e.Code, "Refused: " + strings.Join(parts, "; ") + ".", nil
	}
	return e.Code, "Refused: " + e.Message + ".", nil
}

// MatchingRefs lists the customers of a filter (the list's "all N
// matching"), in its order, at most limit of them plus one so the caller
// can tell the cap was passed.
func (s *Service) MatchingRefs(ctx context.Context, a access.Actor, f Filter, limit int) ([]uuid.UUID, error) {
	var out []uuid.UUID
	stop := errors.New("enough")
	err := s.Export(ctx, a, f, nil, func(r *ExportRow) error {
		out = append(out, r.Reference)
		if len(out) > limit {
			return stop
		}
		return nil
	})
	if err != nil && !errors.Is(err, stop) {
		return nil, err
	}
	return out, nil
}

// BulkActions are the bulk buttons the list offers this actor.
type BulkActions struct {
	CanAssign   bool // "Assign to…" me or nobody
	CanAssignTo bool // any officer or admin (admins)
	CanReject   bool // admins
}

// BulkActionsFor tells the list which bulk actions to offer; "Export
// selected" is for anyone who may read.
func (s *Service) BulkActionsFor(a access.Actor) BulkActions {
	decide := a.Role.Can(access.PermDecide)
	return BulkActions{CanAssign: decide || s.CanTakeCases(a), CanAssignTo: decide, CanReject: decide}
}

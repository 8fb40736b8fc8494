package customer

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
)

// permissionFor is the permission needed to move a customer into a status.
func permissionFor(to Status) access.Permission {
	if to == StatusPending {
		return access.PermEdit // reopen
	}
	return access.PermDecide // approve or reject
}

// transitionAllowed is design.md's workflow; same → same is always a no-op.
func transitionAllowed(from, to Status) bool {
	switch {
	case from == to:
		return true
	case to == StatusVerified:
		return from == StatusPending
	case to == StatusRejected:
		return from == StatusPending || from == StatusVerified
	case to == StatusPending:
		return from == StatusVerified || from == StatusRejected
	}
	return false
}

// ReasonRequired tells whether people must give a reason for a move: the
// pages ask for one on reject and reopen (the API may leave it out).
func ReasonRequired(from, to Status) bool {
	return from != to && (to == StatusRejected || to == StatusPending)
}

// fourEyesProblem says why this actor may not approve, or nil. It compares
// principals, not credentials: a person's page session and every API key they
// own are the same principal, so minting a key never approves one's own edit.
func (s *Service) fourEyesProblem(a access.Actor, c *Customer) *Problem {
	if s.opts.FourEyes && c.LastEditor != nil && *c.LastEditor == a.Principal() {
		return &Problem{Code: ProblemFourEyes, Associate: -1,
			Message: "Four-eyes rule: you made the latest change to this customer's details or associates, so someone else must approve it."}
	}
	return nil
}

// Actions are the status moves and edits the actor may make on a customer,
// with every reason approval would be refused; the pages render only these.
type Actions struct {
	CanEdit         bool
	CanApprove      bool
	CanReject       bool
	CanReopen       bool
	ApproveBlockers []Problem
}

// CanCreate tells the pages whether to offer this actor the new-customer
// form: the same permission Create checks.
func (s *Service) CanCreate(a access.Actor) bool { return a.Role.Can(access.PermEdit) }

// ActionsFor tells the pages what to offer this actor on this customer.
func (s *Service) ActionsFor(a access.Actor, c *Customer) Actions {
	act := Actions{CanEdit: a.Role.Can(access.PermEdit)}
	decide := a.Role.Can(access.PermDecide)
	act.CanApprove = decide && c.Status == StatusPending
	act.CanReject = decide && transitionAllowed(c.Status, StatusRejected) && c.Status != StatusRejected
	act.CanReopen = a.Role.Can(access.PermEdit) && c.Status != StatusPending
	if act.CanApprove {
		act.ApproveBlockers = append(ApprovalProblems(c), c.Evidence...)
		if p := s.fourEyesProblem(a, c); p != nil {
			act.ApproveBlockers = append(act.ApproveBlockers, *p)
		}
	}
	return act
}

// SetStatus moves a customer through the workflow. interactive marks a
// person at the pages, who must give a reason for reject and reopen.
func (s *Service) SetStatus(ctx context.Context, a access.Actor, ref uuid.UUID, in StatusChange, ifMatch Versions, interactive bool) (*Customer, error) {
	to, ok := ParseStatus(strings.TrimSpace(in.Status))
	if !ok {
		return nil, apperr.Invalid(apperr.FieldErrors{"status": {"must be one of PENDING, VERIFIED, REJECTED"}})
	}
	reason, err := ReasonText(in.Reason)
	if err != nil {
		return nil, err
	}
	if err := s.require(a, permissionFor(to), "set status "+string(to)); err != nil {
		return nil, err
	}
	// an approval under the evidence rule reads the documents, which change
	// without a new version: it holds the row's lock (document writes take it)
	run := s.mutateRead
	if to == StatusVerified && s.opts.Evidence != nil {
		run = s.mutateTx
	}
	return run(ctx, a, ref, ifMatch, func(db sqlx.ExtContext, cur *Customer) (*change, error) {
		if cur.Status == to {
			return &change{next: cur}, nil
		}
		if !transitionAllowed(cur.Status, to) {
			msg := fmt.Sprintf("a %s customer cannot move to %s", cur.Status, to)
			if cur.Status == StatusRejected && to == StatusVerified {
				msg += "; reopen it (PENDING) first"
			}
			return nil, apperr.Conflict("illegal_transition", "%s", msg)
		}
		if interactive && ReasonRequired(cur.Status, to) && reason == "" {
			return nil, apperr.Invalid(apperr.FieldErrors{"reason": {"is required"}})
		}
		if to == StatusVerified {
			problems := ApprovalProblems(cur)
			if s.opts.Evidence != nil {
				missing, err := s.opts.Evidence.Missing(ctx, db, cur)
				if err != nil {
					return nil, err
				}
				problems = append(problems, missing...)
			}
			if len(problems) > 0 {
				return nil, newApprovalError("approval_preconditions", problems)
			}
			if p := s.fourEyesProblem(a, cur); p != nil {
				return nil, newApprovalError("four_eyes", []Problem{*p})
			}
		}
		next := *cur
		next.Status = to
		return &change{next: &next, action: audit.ActionCustomerStatus, reason: reason, note: true}, nil
	})
}

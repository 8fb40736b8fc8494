package customer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
)

// ActionCustomerAssign is the audit action of an assignment change.
const ActionCustomerAssign = "customer.assign"

// AssignMe names the acting person as the assignee in Assign.
const AssignMe = "me"

// Assignee is the staff member who owns a customer's case.
type Assignee struct {
	ID    int64  `json:"id" db:"id"`
	Email string `json:"email" db:"email"`
	Name  string `json:"name" db:"name"`
}

// label is how the audit trail names the assignee: "Name <e-mail>".
func (a *Assignee) label() any {
	if a == nil {
		return nil
	}
	return a.Name + " <" + a.Email + ">"
}

func (r *customerRow) assignee() *Assignee {
	if !r.AssigneeID.Valid {
		return nil
	}
	return &Assignee{ID: r.AssigneeID.Int64, Email: r.AssigneeEmail.String, Name: r.AssigneeName.String}
}

// PersonID is the staff user behind the actor: the user of a page session,
// the owner of an API key; 0 for a service key or the system, which are
// nobody who could own a case.
func PersonID(a access.Actor) int64 {
	switch {
	case a.Kind == access.ActorUser:
		return a.ID
	case a.Kind == access.ActorAPIKey:
		return a.OwnerID
	}
	return 0
}

// assigneesSQL lists who may own cases: active officers and admins.
const assigneesSQL = `SELECT id, email, name FROM staff_users
WHERE active AND role IN ('officer', 'admin') ORDER BY lower(name), id`

// Assignees lists the staff members a case can be assigned to (the
// "Assign to…" choices and the list's assignee filter), reused for the
// queue counts' few seconds in serve: every assignment checks the person
// afresh, so a choice a moment out of date is refused, never obeyed.
func (s *Service) Assignees(ctx context.Context, a access.Actor) ([]Assignee, error) {
	if err := s.require(a, access.PermRead, "read customers"); err != nil {
		return nil, err
	}
	return s.assignees.get(ctx, s.opts.QueueCountTTL, s.opts.Now(), func(ctx context.Context) ([]Assignee, error) {
		var out []Assignee
		if err := sqlx.SelectContext(ctx, s.prepared(nil), &out, assigneesSQL); err != nil {
			return nil, fmt.Errorf("list assignees: %w", err)
		}
		return out, nil
	})
}

const (
	assigneeByIDSQL    = `SELECT id, email, name FROM staff_users WHERE id = $1 AND active AND role IN ('officer', 'admin')`
	assigneeByEmailSQL = `SELECT id, email, name FROM staff_users WHERE lower(email) = lower($1) AND active AND role IN ('officer', 'admin')`
)

// resolveAssignee reads who: "" is nobody, AssignMe the acting person, else
// a staff e-mail or id, who must be an active officer or admin.
func resolveAssignee(ctx context.Context, db sqlx.QueryerContext, a access.Actor, who string) (*Assignee, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return nil, nil
	}
	q, arg := assigneeByEmailSQL, any(who)
	if who == AssignMe {
		id := PersonID(a)
		if id == 0 {
			return nil, apperr.Invalid(apperr.FieldErrors{"assignee": {"a service key is nobody who could own a case: name a staff member"}})
		}
		q, arg = assigneeByIDSQL, id
	} else if id, err := strconv.ParseInt(who, 10, 64); err == nil {
		q, arg = assigneeByIDSQL, id
	}
	var out Assignee
	if err := sqlx.GetContext(ctx, db, &out, q, arg); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.Invalid(apperr.FieldErrors{"assignee": {"must be an active officer or admin"}})
		}
		return nil, fmt.Errorf("find assignee: %w", err)
	}
	return &out, nil
}

// CanAssign tells whether the actor may change a case from cur to next
// (either may be nil): admins assign anyone; officers take an unassigned
// case or release their own; viewers nothing.
func CanAssign(a access.Actor, cur, next *Assignee) bool {
	if !a.Role.Can(access.PermEdit) {
		return false
	}
	if a.Role.Can(access.PermDecide) {
		return true
	}
	me := PersonID(a)
	if me == 0 {
		return false
	}
	switch {
	case next != nil: // take
		return next.ID == me && (cur == nil || cur.ID == me)
	default: // release
		return cur == nil || cur.ID == me
	}
}

// AssignActions are the assignment buttons the pages offer this actor on a customer.
type AssignActions struct {
	CanTake     bool // "Assign to me"
	CanRelease  bool // "Unassign"
	CanAssignTo bool // "Assign to…" (admins)
}

// AssignActionsFor tells the pages which assignment buttons to offer.
func (s *Service) AssignActionsFor(a access.Actor, c *Customer) AssignActions {
	me := PersonID(a)
	var act AssignActions
	if me != 0 && (c.Assignee == nil || c.Assignee.ID != me) {
		act.CanTake = CanAssign(a, c.Assignee, &Assignee{ID: me})
	}
	if c.Assignee != nil {
		act.CanRelease = CanAssign(a, c.Assignee, nil)
	}
	act.CanAssignTo = a.Role.Can(access.PermDecide)
	return act
}

const setAssigneeSQL = `UPDATE customers SET assignee_id = $2 WHERE id = $1`

// Assign makes who (a staff e-mail or id, AssignMe, or "" for nobody) the
// owner of the customer's case, with its audit entry in the same
// transaction. It is not an edit: the version (ETag), updated time and the
// four-eyes editor stay, so no open form goes stale because a case changed hands.
func (s *Service) Assign(ctx context.Context, a access.Actor, ref uuid.UUID, who string, ifMatch Versions) (*Customer, error) {
	if err := s.require(a, access.PermEdit, "assign cases"); err != nil {
		return nil, err
	}
	tx, cur, err := s.locked(ctx, ref, ifMatch)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	next, err := resolveAssignee(ctx, tx, a, who)
	if err != nil {
		return nil, err
	}
	if !CanAssign(a, cur.Assignee, next) {
		return nil, apperr.Forbidden("officers may take an unassigned case or release their own; an admin assigns anyone")
	}
	if !sameAssignee(cur.Assignee, next) {
		if err := s.writeAssignee(ctx, tx, a, cur, next); err != nil {
			return nil, err
		}
	}
	if err := s.attachEvidence(ctx, tx, cur); err != nil {
		return nil, err
	}
	return cur, tx.Commit()
}

func sameAssignee(x, y *Assignee) bool {
	return (x == nil && y == nil) || (x != nil && y != nil && x.ID == y.ID)
}

// writeAssignee stores the new assignee of the locked customer c and its
// audit entry, and updates c.
func (s *Service) writeAssignee(ctx context.Context, tx *sqlx.Tx, a access.Actor, c *Customer, next *Assignee) error {
	var id *int64
	if next != nil {
		id = &next.ID
	}
	if _, err := tx.ExecContext(ctx, setAssigneeSQL, c.ID, id); err != nil {
		return fmt.Errorf("assign customer: %w", err)
	}
	ch := []audit.Change{{Path: "assignee", Old: c.Assignee.label(), New: next.label()}}
	ev := Event{Name: EventAssigneeChanged, CustomerID: c.ID, Data: struct {
		brief
		Assignee         *Assignee `json:"assignee"`
		PreviousAssignee *Assignee `json:"previousAssignee"`
	}{briefOf(c), next, c.Assignee}}
	if _, err := s.record(ctx, tx, audit.Record{Actor: a, Action: ActionCustomerAssign, CustomerID: &c.ID, Changes: ch}, ev); err != nil {
		return err
	}
	c.Assignee = next
	return nil
}

// ErrNoCase is the answer of NextCase when no unassigned PENDING case is left.
var ErrNoCase = apperr.New(apperr.KindNotFound, "no_case", "no unassigned pending cases")

// nextCaseSQL takes the oldest unassigned PENDING customer (by time in
// queue) that no other transaction holds: SKIP LOCKED lets simultaneous
// callers each take a different one instead of waiting for, then sharing,
// the same row. The partial index customers_next_case_idx serves it.
const (
	nextCaseSQL = `SELECT reference FROM customers WHERE status = 'PENDING' AND assignee_id IS NULL
ORDER BY status_since, id LIMIT 1 FOR UPDATE SKIP LOCKED`
	nextHighRiskCaseSQL = `SELECT reference FROM customers WHERE status = 'PENDING' AND assignee_id IS NULL
AND risk_score = 'HIGH' ORDER BY status_since, id LIMIT 1 FOR UPDATE SKIP LOCKED`
)

// NextCase assigns the oldest unassigned PENDING customer to the acting
// person and returns it (with Options.HighRiskFirst, the oldest HIGH risk
// one first); ErrNoCase when none is left.
func (s *Service) NextCase(ctx context.Context, a access.Actor) (*Customer, error) {
	if err := s.require(a, access.PermEdit, "take cases"); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	me, err := resolveAssignee(ctx, tx, a, AssignMe)
	if err != nil {
		return nil, err
	}
	queries := []string{nextCaseSQL}
	if s.opts.HighRiskFirst {
		queries = []string{nextHighRiskCaseSQL, nextCaseSQL}
	}
	var ref uuid.UUID
	for _, q := range queries {
		err = sqlx.GetContext(ctx, tx, &ref, q)
		if !errors.Is(err, sql.ErrNoRows) {
			break
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoCase
	}
	if err != nil {
		return nil, fmt.Errorf("next case: %w", err)
	}
	c, err := getCustomer(ctx, s.prepared(tx), ref, false) // locked above
	if err != nil {
		return nil, err
	}
	if err := s.writeAssignee(ctx, tx, a, c, me); err != nil {
		return nil, err
	}
	if err := s.attachEvidence(ctx, tx, c); err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

// CanTakeCases tells the pages whether to offer "Next case": a person who may edit.
func (s *Service) CanTakeCases(a access.Actor) bool {
	return a.Role.Can(access.PermEdit) && PersonID(a) != 0
}

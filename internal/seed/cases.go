package seed

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
)

// demoAssignments are the demo cases given an owner, so the Mine queue and
// the assignee column have something to show: the officer's oldest pending
// cases first, then a couple for the admin; the rest stay for "Next case".
var demoAssignments = []struct {
	email string
	n     int
}{{"officer@verity.test", 3}, {"admin@verity.test", 2}}

// oldestUnassignedSQL picks the pending cases that have waited longest.
const oldestUnassignedSQL = `SELECT reference FROM customers WHERE status = 'PENDING' AND assignee_id IS NULL
ORDER BY status_since, id LIMIT $1`

// assignDemoCases gives the demo staff their cases through the customer
// service, so each assignment is audited like any other, and changes a few
// verified customers materially so "Changed since approval" has cases.
func assignDemoCases(ctx context.Context, db sqlx.QueryerContext, customers *customer.Service) error {
	actor := access.System("seed-demo-cases")
	for _, da := range demoAssignments {
		var refs []uuid.UUID
		if err := sqlx.SelectContext(ctx, db, &refs, oldestUnassignedSQL, da.n); err != nil {
			return fmt.Errorf("pick demo cases: %w", err)
		}
		for _, ref := range refs {
			if _, err := customers.Assign(ctx, actor, ref, da.email, nil); err != nil {
				return fmt.Errorf("assign demo case to %s: %w", da.email, err)
			}
		}
	}
	return reviewDemoCases(ctx, db, customers)
}

// demoReviewEdits are the material changes made to the first verified demo
// customers after their approval: a new address line, a new registration
// number, a new name.
var demoReviewEdits = []func(c *customer.Customer) customer.DetailsUpdate{
	func(*customer.Customer) customer.DetailsUpdate {
		return customer.DetailsUpdate{Address: customer.Optional[customer.AddressUpdate]{Set: true,
			Value: customer.AddressUpdate{AddressLine1: customer.Optional[string]{Set: true, Value: "2 Harbour Road"}}}}
	},
	func(c *customer.Customer) customer.DetailsUpdate {
		return customer.DetailsUpdate{RegistrationNumber: customer.Optional[string]{Set: true, Value: c.Company.RegistrationNumber + "-R"}}
	},
	func(c *customer.Customer) customer.DetailsUpdate {
		return customer.DetailsUpdate{Name: customer.Optional[string]{Set: true, Value: c.Company.Name + " Group"}}
	},
}

const firstVerifiedSQL = `SELECT reference FROM customers WHERE status = 'VERIFIED' AND NOT review_required ORDER BY id LIMIT $1`

// reviewDemoCases edits the first verified customers through the service,
// so each is flagged review required as a real edit would flag it.
func reviewDemoCases(ctx context.Context, db sqlx.QueryerContext, customers *customer.Service) error {
	actor := access.System("seed-demo-review")
	var refs []uuid.UUID
	if err := sqlx.SelectContext(ctx, db, &refs, firstVerifiedSQL, len(demoReviewEdits)); err != nil {
		return fmt.Errorf("pick demo reviews: %w", err)
	}
	for i, ref := range refs {
		c, err := customers.Get(ctx, actor, ref)
		if err != nil {
			return err
		}
		if _, err := customers.Update(ctx, actor, ref, demoReviewEdits[i](c), nil); err != nil {
			return fmt.Errorf("demo review edit: %w", err)
		}
	}
	return nil
}

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
// service, so each assignment is audited like any other.
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
	return nil
}

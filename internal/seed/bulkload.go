package seed

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// deferredIndexes are the search indexes a seed into an empty database
// builds after its load instead of updating them row by row (pg_restore's
// order): a GIN index costs several times more per live insert than per row
// of a CREATE INDEX. Each is exactly the index the migrations create
// (TestDeferredIndexesAreTheMigrations), so a seed leaves the same schema.
var deferredIndexes = []struct{ name, def string }{
	{"customers_search_idx", `CREATE INDEX IF NOT EXISTS customers_search_idx ON public.customers USING gin (search_text gin_trgm_ops) WITH (gin_pending_list_limit='256')`},
	{"customer_search_grams_idx", `CREATE INDEX IF NOT EXISTS customer_search_grams_idx ON public.customer_search_grams USING gin (grams) WITH (gin_pending_list_limit='256')`},
	{"audit_entries_actor_trgm_idx", `CREATE INDEX IF NOT EXISTS audit_entries_actor_trgm_idx ON public.audit_entries USING gin (lower(actor_name) gin_trgm_ops)`},
}

// deferFrom is how many customers a seed must bring for the deferral to
// pay; smaller seeds keep the indexes live.
var deferFrom = 1000

// deferIndexes drops deferredIndexes when the customers table is empty —
// the demo database that seed created moments ago — and says whether it
// did. A running server on that database still answers every search,
// without the index, until buildIndexes.
func deferIndexes(ctx context.Context, db *sqlx.DB, n int) (bool, error) {
	if n < deferFrom {
		return false, nil
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	// The lock keeps a customer from arriving between the check and the drop.
	if _, err := tx.ExecContext(ctx, `LOCK TABLE customers IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return false, err
	}
	var empty bool
	if err := tx.GetContext(ctx, &empty, `SELECT NOT EXISTS (SELECT 1 FROM customers)`); err != nil || !empty {
		return false, err
	}
	for _, ix := range deferredIndexes {
		if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS `+ix.name); err != nil {
			return false, fmt.Errorf("defer index %s: %w", ix.name, err)
		}
	}
	return true, tx.Commit()
}

// buildIndexes creates whichever deferredIndexes are missing, with room to
// sort in memory; it is harmless when none is, so every seed runs it (an
// interrupted seed's next run repairs the database).
func buildIndexes(ctx context.Context, db *sqlx.DB) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	if _, err := tx.ExecContext(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
		return err
	}
	for _, ix := range deferredIndexes {
		if _, err := tx.ExecContext(ctx, ix.def); err != nil {
			return fmt.Errorf("build index %s: %w", ix.name, err)
		}
	}
	return tx.Commit()
}

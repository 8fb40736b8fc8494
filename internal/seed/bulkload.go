package seed

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// deferredIndexes are the secondary indexes a seed into an empty database
// builds after its load instead of updating them row by row (pg_restore's
// order): the search GIN indexes cost several times more per live insert
// than per row of a CREATE INDEX, and each B-tree costs a descent per row.
// The unique ones stay (they are the references' and keys' rules), and so
// do the partial ones that a seed leaves all but empty. Each is exactly the
// index the migrations create (TestDeferredIndexesAreTheMigrations), so a
// seed leaves the same schema; one a migration adds later simply stays live.
var deferredIndexes = []struct{ name, def string }{
	{"customers_search_idx", `CREATE INDEX IF NOT EXISTS customers_search_idx ON public.customers USING gin (search_text gin_trgm_ops) WITH (gin_pending_list_limit='256')`},
	{"customer_search_grams_idx", `CREATE INDEX IF NOT EXISTS customer_search_grams_idx ON public.customer_search_grams USING gin (grams) WITH (gin_pending_list_limit='256')`},
	{"audit_entries_actor_trgm_idx", `CREATE INDEX IF NOT EXISTS audit_entries_actor_trgm_idx ON public.audit_entries USING gin (lower(actor_name) gin_trgm_ops)`},
	{"customers_updated_cover_idx", `CREATE INDEX IF NOT EXISTS customers_updated_cover_idx ON public.customers USING btree (updated_at DESC, id DESC) INCLUDE (status, risk_score, search_text)`},
	{"customers_name_idx", `CREATE INDEX IF NOT EXISTS customers_name_idx ON public.customers USING btree (lower(name), id)`},
	{"customers_status_name_idx", `CREATE INDEX IF NOT EXISTS customers_status_name_idx ON public.customers USING btree (status, lower(name), id)`},
	{"customers_status_risk_updated_idx", `CREATE INDEX IF NOT EXISTS customers_status_risk_updated_idx ON public.customers USING btree (status, risk_score, updated_at DESC, id DESC)`},
	{"customers_status_since_idx", `CREATE INDEX IF NOT EXISTS customers_status_since_idx ON public.customers USING btree (status, status_since, id) INCLUDE (risk_score, assignee_id)`},
	{"customers_status_updated_idx", `CREATE INDEX IF NOT EXISTS customers_status_updated_idx ON public.customers USING btree (status, updated_at DESC, id DESC)`},
	{"customers_next_case_idx", `CREATE INDEX IF NOT EXISTS customers_next_case_idx ON public.customers USING btree (status_since, id) WHERE ((status = 'PENDING'::customer_status) AND (assignee_id IS NULL))`},
	{"audit_entries_customer_idx", `CREATE INDEX IF NOT EXISTS audit_entries_customer_idx ON public.audit_entries USING btree (customer_id, id DESC) WHERE (customer_id IS NOT NULL)`},
	{"audit_entries_kind_idx", `CREATE INDEX IF NOT EXISTS audit_entries_kind_idx ON public.audit_entries USING btree (split_part(action, '.'::text, 1), id DESC)`},
	{"audit_entries_occurred_idx", `CREATE INDEX IF NOT EXISTS audit_entries_occurred_idx ON public.audit_entries USING btree (occurred_at DESC)`},
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

// buildIndexes creates whichever deferredIndexes are missing, two at a
// time (one per core), each with room to sort in memory; it is harmless
// when none is, so every demo seed runs it (an interrupted seed's next run
// repairs the database).
func buildIndexes(ctx context.Context, db *sqlx.DB) error {
	next := make(chan string)
	errs := make(chan error, buildWorkers)
	for w := 0; w < buildWorkers; w++ {
		go func() {
			var err error
			for def := range next {
				if err == nil {
					err = buildIndex(ctx, db, def)
				}
			}
			errs <- err
		}()
	}
	for _, ix := range deferredIndexes {
		next <- ix.def
	}
	close(next)
	var first error
	for w := 0; w < buildWorkers; w++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// buildWorkers is how many indexes are built at once.
const buildWorkers = 2

// buildIndex runs one CREATE INDEX IF NOT EXISTS in its own transaction.
func buildIndex(ctx context.Context, db *sqlx.DB, def string) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	if _, err := tx.ExecContext(ctx, `SET LOCAL maintenance_work_mem = '128MB'`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, def); err != nil {
		return fmt.Errorf("build index: %s: %w", def, err)
	}
	return tx.Commit()
}

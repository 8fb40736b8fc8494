package customer_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/seed"
)

// pendingLimits answers the search indexes' storage options, in name order.
func pendingLimits(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	var out []string
	if err := db.Select(&out, `SELECT c.relname || ':' || coalesce(array_to_string(c.reloptions, ','), '')
FROM pg_class c WHERE c.relname IN ('customers_search_idx', 'customer_search_grams_idx') ORDER BY c.relname`); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " ")
}

const (
	shortLists = "customer_search_grams_idx:gin_pending_list_limit=256 customers_search_idx:gin_pending_list_limit=256"
	longLists  = "customer_search_grams_idx:gin_pending_list_limit=65536 customers_search_idx:gin_pending_list_limit=65536"
)

// importBulk imports n generated lines with Bulk set and answers the search
// indexes' options while the lines were being stored (Loaded runs then).
func importBulk(t *testing.T, e *env, n int) string {
	t.Helper()
	var lines bytes.Buffer
	if err := seed.Generate(&lines, 11, n); err != nil {
		t.Fatal(err)
	}
	var during string
	opts := customer.ImportOptions{Bulk: true, Loaded: func(context.Context) error {
		during = pendingLimits(t, e.db)
		return nil
	}}
	res, err := e.svc.ImportWith(e.ctx, access.System("import"), bytes.NewReader(lines.Bytes()), opts,
		func(le customer.LineError) { t.Errorf("refused: %v", le) })
	if err != nil || res.Imported != n {
		t.Fatalf("import: %+v %v", res, err)
	}
	return during
}

// A bulk import lets the search indexes gather its entries in long pending
// lists, then moves them into the indexes and gives the short lists back
// before it returns: searches right after read no long list.
func TestBulkImportWidensThenRestoresPendingLists(t *testing.T) {
	e := copyEnv(t)
	if got := pendingLimits(t, e.db); got != shortLists {
		t.Fatalf("before: %s, want the migrations' %s", got, shortLists)
	}
	if during := importBulk(t, e, 200); during != longLists {
		t.Errorf("while importing: %s, want %s", during, longLists)
	}
	if got := pendingLimits(t, e.db); got != shortLists {
		t.Errorf("after: %s, want %s", got, shortLists)
	}
	for _, idx := range []string{"customers_search_idx", "customer_search_grams_idx"} {
		var pages int64
		if err := e.db.Get(&pages, `SELECT gin_clean_pending_list($1::regclass)`, idx); err != nil {
			t.Fatal(err)
		}
		if pages != 0 {
			t.Errorf("%s: %d pending-list pages left after the import, want them in the index", idx, pages)
		}
	}
	var name string
	if err := e.db.Get(&name, `SELECT name FROM customers ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	page, err := e.svc.List(e.ctx, viewer, customer.Filter{Query: name, Size: 20})
	if err != nil || page.TotalElements == 0 {
		t.Fatalf("search %q after the import: %+v %v", name, page, err)
	}
}

// When the indexes' lock is not had at once (a long query holds it), the
// import goes on with the short lists: slower, the same result.
func TestBulkImportGoesOnWhenTheIndexesAreBusy(t *testing.T) {
	e := copyEnv(t)
	tx, err := e.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	var n int
	if err := tx.Get(&n, `SELECT count(*) FROM customers WHERE search_text LIKE '%zz%'`); err != nil {
		t.Fatal(err) // planning opened the indexes: their lock is held to the end of tx
	}
	if during := importBulk(t, e, 50); during != shortLists {
		t.Errorf("while importing beside a long query: %s, want %s", during, shortLists)
	}
	if got := pendingLimits(t, e.db); got != shortLists {
		t.Errorf("after: %s, want %s", got, shortLists)
	}
}

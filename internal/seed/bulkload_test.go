package seed

import (
	"slices"
	"testing"
)

// schemaSQL lists every index and trigger of the schema with its definition
// and whether it is enabled: what a seed must leave as the migrations made it.
const schemaSQL = `
SELECT 'index ' || pg_get_indexdef(i.indexrelid) || ' valid ' || i.indisvalid::text
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public'
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND NOT t.tgisinternal
ORDER BY 1`

// contentSQL digests what the seed stored that the deferral touches: the
// customers' search texts and grams, keyed by reference (ids depend on
// which worker ran first), and the audit entries' actors.
const contentSQL = `
SELECT (SELECT md5(string_agg(c.reference::text || c.search_text || g.grams::text, ',' ORDER BY c.reference))
        FROM customers c JOIN customer_search_grams g ON g.customer_id = c.id)
    || (SELECT count(*) FROM customer_search_grams)::text
    || (SELECT md5(string_agg(a.actor_name || a.action, ',' ORDER BY a.actor_name, a.action)) FROM audit_entries a)`

// A demo seed into an empty database builds the search indexes after its
// load (they are new indexes afterwards) and leaves the same schema and
// data as a seed that kept them live.
func TestSeedDefersSearchIndexesAndLeavesTheSameDatabase(t *testing.T) {
	defer func(n int) { deferFrom = n }(deferFrom)
	type state struct {
		schema         []string
		content        string
		oids, oidsThen []int64
	}
	seedWith := func(from int) state {
		deferFrom = from
		e := newDemoEnv(t)
		var s state
		oids := func() []int64 {
			var out []int64
			for _, ix := range deferredIndexes {
				var oid int64
				if err := e.db.GetContext(e.ctx, &oid, `SELECT $1::regclass::oid::bigint`, ix.name); err != nil {
					t.Fatalf("%s: %v", ix.name, err)
				}
				out = append(out, oid)
			}
			return out
		}
		s.oids = oids()
		if _, err := DemoWithSeed(e.ctx, e.db, e.customers, e.users, dev, 60, 5); err != nil {
			t.Fatal(err)
		}
		s.oidsThen = oids()
		if err := e.db.SelectContext(e.ctx, &s.schema, schemaSQL); err != nil {
			t.Fatal(err)
		}
		if err := e.db.GetContext(e.ctx, &s.content, contentSQL); err != nil {
			t.Fatal(err)
		}
		return s
	}
	live, deferred := seedWith(1000), seedWith(50)
	if !slices.Equal(live.oids, live.oidsThen) {
		t.Errorf("a seed below deferFrom rebuilt its indexes: %v → %v", live.oids, live.oidsThen)
	}
	for i := range deferred.oids {
		if deferred.oids[i] == deferred.oidsThen[i] {
			t.Errorf("%s was updated row by row, not built after the load", deferredIndexes[i].name)
		}
	}
	if !slices.Equal(live.schema, deferred.schema) {
		t.Errorf("schema after a deferred seed:\n%v\nafter a live one:\n%v", deferred.schema, live.schema)
	}
	if live.content != deferred.content {
		t.Errorf("content differs: %s vs %s", deferred.content, live.content)
	}
}

// The deferred indexes are exactly those of the migrated schema: a
// migration that changes one must change deferredIndexes too.
func TestDeferredIndexesAreTheMigrations(t *testing.T) {
	e := newDemoEnv(t)
	for _, ix := range deferredIndexes {
		var def string
		if err := e.db.GetContext(e.ctx, &def, `SELECT pg_get_indexdef($1::regclass)`, ix.name); err != nil {
			t.Fatalf("%s: %v", ix.name, err)
		}
		if want := "CREATE INDEX IF NOT EXISTS " + def[len("CREATE INDEX "):]; want != ix.def {
			t.Errorf("%s is\n%s\nin the schema, deferredIndexes has\n%s", ix.name, want, ix.def)
		}
	}
}

// An interrupted seed's indexes come back with the next seed.
func TestBuildIndexesRepairs(t *testing.T) {
	e := newDemoEnv(t)
	if _, err := e.db.ExecContext(e.ctx, `DROP INDEX customers_search_idx`); err != nil {
		t.Fatal(err)
	}
	if _, err := DemoWithSeed(e.ctx, e.db, e.customers, e.users, dev, 3, 5); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM pg_indexes WHERE indexname = 'customers_search_idx'`); n != 1 {
		t.Fatalf("customers_search_idx: %d", n)
	}
}

// Customers alone (any database, perhaps a live one) never drop an index,
// even into an empty table.
func TestCustomersOnlyKeepsIndexesLive(t *testing.T) {
	defer func(n int) { deferFrom = n }(deferFrom)
	deferFrom = 1
	e := newDemoEnv(t)
	oid := func() int64 {
		var oid int64
		if err := e.db.GetContext(e.ctx, &oid, `SELECT 'customers_search_idx'::regclass::oid::bigint`); err != nil {
			t.Fatal(err)
		}
		return oid
	}
	before := oid()
	if _, err := CustomersWithSeed(e.ctx, e.customers, 20, 5); err != nil {
		t.Fatal(err)
	}
	if after := oid(); after != before {
		t.Fatalf("customers_search_idx was rebuilt (%d → %d)", before, after)
	}
}

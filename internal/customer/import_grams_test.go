package customer_test

import (
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
)

// An import's batch writes the search grams itself (the insert trigger steps
// aside in its transaction): for names with every character an array
// literal or COPY text must quote — quotes, backslashes, braces, commas,
// spaces — and characters of more than one byte, each customer's grams are
// exactly what the SQL function customer_search_grams makes of its search
// text, so a search finds every imported customer.
func TestImportGramsAreTheFunctions(t *testing.T) {
	names := []string{`Quote "Q" Ltd`, `Back\slash\\ Ltd`, `{Brace}, Comma Ltd`, "Space  Twice Ltd",
		"Zoë Økonomi Ltd", "東京 Trading 株式会社", "Emoji 🚀 Ltd", "e\u0301 Combining Ltd", `NULL`, "A"}
	recs := generated(t, 31, len(names))
	for i, r := range recs {
		r["company"].(map[string]any)["name"] = names[i]
		firstAssociate(r)["lastName"] = names[len(names)-1-i]
	}
	e := copyEnv(t)
	res, nums, msgs := e.importLines(customer.ImportOptions{TrustStatus: true}, jsonLines(t, recs)...)
	if res.Imported != len(recs) {
		t.Fatalf("import %+v %v %v", res, nums, msgs)
	}
	if n := countRows(t, e.db); n > 9 {
		t.Fatalf("%d counter rows: the batch was not written by one COPY", n)
	}
	if n := e.count(`SELECT count(*) FROM customers c LEFT JOIN customer_search_grams g ON g.customer_id = c.id
WHERE g.grams IS DISTINCT FROM customer_search_grams(c.search_text)`); n != 0 {
		var diff []string
		if err := e.db.Select(&diff, `SELECT format('%s: %s, want %s', c.name, g.grams, customer_search_grams(c.search_text))
FROM customers c LEFT JOIN customer_search_grams g ON g.customer_id = c.id
WHERE g.grams IS DISTINCT FROM customer_search_grams(c.search_text)`); err != nil {
			t.Fatal(err)
		}
		t.Fatalf("%d customers' grams are not the function's:\n%s", n, strings.Join(diff, "\n"))
	}
	for _, term := range []string{`"`, `\`, "{", ",", "  ", "ë", "京", "🚀", "\u0301"} {
		if n := e.count(`SELECT count(*) FROM customer_search_grams WHERE grams @> ARRAY[$1]`, term); n == 0 {
			t.Errorf("no customer's grams hold %q", term)
		}
	}
}

// Outside an import's batch the customers' insert triggers keep the grams
// and the counters of every insert (here the per-line path's INSERTs, after
// a batch on the same pool that set verity.bulk).
func TestInsertTriggersKeepGramsOutsideAnImport(t *testing.T) {
	e := copyEnv(t)
	recs := generated(t, 32, 3)
	if res, nums, msgs := e.importLines(customer.ImportOptions{TrustStatus: true}, jsonLines(t, recs[:1])...); res.Imported != 1 {
		t.Fatalf("import %+v %v %v", res, nums, msgs)
	}
	customer.WritePerLine(t)
	if res, nums, msgs := e.importLines(customer.ImportOptions{TrustStatus: true}, jsonLines(t, recs[1:])...); res.Imported != 2 {
		t.Fatalf("per-line import %+v %v %v", res, nums, msgs)
	}
	for what, q := range map[string]string{
		"customers with their grams": `SELECT count(*) FROM customers c JOIN customer_search_grams g ON g.customer_id = c.id
WHERE g.grams = customer_search_grams(c.search_text)`,
		"counted customers": `SELECT sum(n) FROM customer_counts`,
	} {
		if n := e.count(q); n != 3 {
			t.Errorf("%d %s, want 3", n, what)
		}
	}
	if n := countRows(t, e.db); n < 3 {
		t.Errorf("%d counter rows: the two per-line inserts did not each run the trigger", n)
	}
}

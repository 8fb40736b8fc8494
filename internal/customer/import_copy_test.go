package customer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/seed"
	"github.com/verity-kyb/verity/internal/webhook"
)

// copyEnv is a database with the webhook outbox wired in and an enabled
// endpoint subscribed to created events, and a fixed clock.
func copyEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.New(t)
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	svc := customer.NewService(db, customer.Options{FourEyes: true, VerifyBaseURL: verifyBase,
		Now: func() time.Time { return now }, Events: webhook.NewService(db, webhook.Options{AllowPrivate: true})})
	e := &env{t: t, db: db, svc: svc, ctx: context.Background()}
	if _, err := db.Exec(`INSERT INTO webhook_endpoints (reference, url, events, secret)
VALUES (gen_random_uuid(), 'https://hooks.test/in', ARRAY[$1, $2], 'secret')`, customer.EventCreated, customer.EventStatusChange); err != nil {
		t.Fatal(err)
	}
	return e
}

// snapshot is everything an import writes, keyed by references (ids and
// event ids differ between two databases), as JSON text per table.
func snapshot(t *testing.T, db *sqlx.DB) map[string][]string {
	t.Helper()
	queries := map[string]string{
		"customers": `SELECT (to_jsonb(c) - 'id')::text FROM customers c ORDER BY reference`,
		"associates": `SELECT (to_jsonb(a) - 'id' - 'customer_id' || jsonb_build_object('customer', c.reference))::text
FROM associates a JOIN customers c ON c.id = a.customer_id ORDER BY a.reference`,
		"audit": `SELECT (to_jsonb(e) - 'id' - 'customer_id' - 'occurred_at' || jsonb_build_object('customer', c.reference))::text
FROM audit_entries e JOIN customers c ON c.id = e.customer_id ORDER BY c.reference, e.id`,
		"counts": `SELECT format('%s %s %s', status, risk_score, sum(n)) FROM customer_counts GROUP BY status, risk_score ORDER BY status, risk_score`,
		"grams":  `SELECT format('%s %s', c.reference, g.grams) FROM customers c LEFT JOIN customer_search_grams g ON g.customer_id = c.id ORDER BY c.reference`,
		"events": `SELECT (jsonb_build_object('name', v.name, 'payload', v.payload, 'customer', c.reference,
  'deliveries', (SELECT count(*) FROM webhook_deliveries d WHERE d.event_id = v.id)))::text
FROM webhook_events v JOIN customers c ON c.id = v.customer_id ORDER BY c.reference, v.id`,
	}
	out := map[string][]string{}
	for name, q := range queries {
		var rows []string
		if err := db.Select(&rows, q); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = rows
	}
	return out
}

// countRows is how many delta rows customer_counts holds: one per statement
// and status/risk pair, so a batch written by one COPY leaves at most nine.
func countRows(t *testing.T, db *sqlx.DB) int {
	t.Helper()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM customer_counts`); err != nil {
		t.Fatal(err)
	}
	return n
}

// The COPY batch stores exactly what the per-line path stores for the same
// lines: customer rows, associates, audit entries, counters, webhook events
// and their deliveries.
func TestImportCopyMatchesPerLine(t *testing.T) {
	var lines bytes.Buffer
	if err := seed.Generate(&lines, 7, 300); err != nil {
		t.Fatal(err)
	}
	run := func(e *env, opts customer.ImportOptions) {
		res, err := e.svc.ImportWith(e.ctx, access.System("import"), bytes.NewReader(lines.Bytes()), opts,
			func(le customer.LineError) { t.Errorf("refused: %v", le) })
		if err != nil || res.Imported != 300 {
			t.Fatalf("import: %+v %v", res, err)
		}
	}
	for _, trust := range []bool{false, true} {
		t.Run(fmt.Sprintf("trust=%v", trust), func(t *testing.T) {
			bulk, perLine := copyEnv(t), copyEnv(t)
			run(bulk, customer.ImportOptions{TrustStatus: trust})
			customer.WritePerLine(t)
			run(perLine, customer.ImportOptions{TrustStatus: trust})
			if n := countRows(t, bulk.db); n > 9 {
				t.Fatalf("%d counter rows: the batch was not written by one COPY", n)
			}
			got, want := snapshot(t, bulk.db), snapshot(t, perLine.db)
			for table := range want {
				if len(want[table]) == 0 {
					t.Fatalf("%s: the per-line path wrote nothing to compare", table)
				}
				if strings.Join(got[table], "\n") != strings.Join(want[table], "\n") {
					for i := range want[table] {
						if i >= len(got[table]) || got[table][i] != want[table][i] {
							t.Fatalf("%s differs at row %d:\ncopy:     %v\nper line: %s", table, i, at(got[table], i), want[table][i])
						}
					}
					t.Fatalf("%s: %d rows by COPY, %d per line", table, len(got[table]), len(want[table]))
				}
			}
		})
	}
}

func at(rows []string, i int) string {
	if i < len(rows) {
		return rows[i]
	}
	return "(none)"
}

// generated returns n generated lines, parsed so a test can change them.
func generated(t *testing.T, seedNo int64, n int) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if err := seed.Generate(&buf, seedNo, n); err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func jsonLines(t *testing.T, recs []map[string]any) []string {
	t.Helper()
	out := make([]string, len(recs))
	for i, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out
}

func firstAssociate(r map[string]any) map[string]any {
	return r["company"].(map[string]any)["associates"].([]any)[0].(map[string]any)["person"].(map[string]any)
}

// A reference repeated in the batch (a customer's or an associate's) or
// already stored is refused on its own line, in line order; the first line
// with a reference wins, and the clean lines still go in one COPY.
func TestImportCopyDuplicatesInLineOrder(t *testing.T) {
	e := copyEnv(t)
	stored := generated(t, 11, 1)
	if res, nums, msgs := e.importLines(customer.ImportOptions{TrustStatus: true}, jsonLines(t, stored)...); res.Imported != 1 {
		t.Fatalf("first import %+v %v %v", res, nums, msgs)
	}
	before := countRows(t, e.db)
	recs := generated(t, 12, 8)
	recs[3]["reference"] = recs[1]["reference"]                                   // line 4 repeats line 2's customer
	firstAssociate(recs[5])["reference"] = firstAssociate(recs[2])["reference"]   // line 6 repeats line 3's associate
	recs[6]["reference"] = stored[0]["reference"]                                 // line 7 is stored already
	firstAssociate(recs[7])["reference"] = firstAssociate(stored[0])["reference"] // line 8's associate is stored already
	res, nums, msgs := e.importLines(customer.ImportOptions{TrustStatus: true}, jsonLines(t, recs)...)
	if res.Imported != 4 || res.Failed != 4 || fmt.Sprint(nums) != "[4 6 7 8]" {
		t.Fatalf("result %+v, refused %v %v; want lines 4, 6, 7, 8 refused", res, nums, msgs)
	}
	for i, want := range []string{"a customer with this reference already exists", "an associate with this reference already exists",
		"a customer with this reference already exists", "an associate with this reference already exists"} {
		if !strings.Contains(msgs[i], want) && !strings.Contains(msgs[i], strings.Replace(want, "an associate", "a associate", 1)) {
			t.Errorf("line %d: %q, want %q", nums[i], msgs[i], want)
		}
	}
	for _, i := range []int{0, 1, 2, 4} { // lines 1, 2, 3, 5 are stored, each with one audit entry
		if n := e.count(`SELECT count(*) FROM audit_entries a JOIN customers c ON c.id = a.customer_id
WHERE c.reference = $1 AND c.name = $2`, recs[i]["reference"], recs[i]["company"].(map[string]any)["name"]); n != 1 {
			t.Errorf("line %d: %d customers with their audit entry, want 1", i+1, n)
		}
	}
	if n := countRows(t, e.db) - before; n > 9 {
		t.Errorf("%d counter rows for four clean lines: not one COPY", n)
	}
}

// A batch whose COPY fails part-way (here a trigger refuses one associate,
// as a reference created by a live server meanwhile would) leaves nothing
// half-written: it is rolled back and written line by line, so every other
// line is stored whole and the failing one is refused on its own.
func TestImportCopyFailureLeavesNothingHalfWritten(t *testing.T) {
	e := copyEnv(t)
	if _, err := e.db.Exec(`
CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.first_name = 'Boom' THEN RAISE EXCEPTION 'boom refused'; END IF; RETURN NEW; END $$;
CREATE TRIGGER refuse_boom BEFORE INSERT ON associates FOR EACH ROW EXECUTE FUNCTION refuse_boom();`); err != nil {
		t.Fatal(err)
	}
	recs := generated(t, 13, 6)
	firstAssociate(recs[3])["firstName"] = "Boom"
	res, nums, msgs := e.importLines(customer.ImportOptions{TrustStatus: true}, jsonLines(t, recs)...)
	if res.Imported != 5 || fmt.Sprint(nums) != "[4]" || !strings.Contains(msgs[0], "boom refused") {
		t.Fatalf("result %+v, refused %v %v; want only line 4", res, nums, msgs)
	}
	checks := map[string]string{
		"customers":                 `SELECT count(*) FROM customers`,
		"audit entries":             `SELECT count(*) FROM audit_entries WHERE customer_id IS NOT NULL`,
		"created events":            `SELECT count(*) FROM webhook_events`,
		"customers with associates": `SELECT count(DISTINCT customer_id) FROM associates`,
		"counted customers":         `SELECT sum(n) FROM customer_counts`,
		"customers' search grams":   `SELECT count(*) FROM customer_search_grams`,
	}
	for what, q := range checks {
		if n := e.count(q); n != 5 {
			t.Errorf("%d %s, want 5", n, what)
		}
	}
	var want int
	for i, r := range recs {
		if i != 3 {
			want += len(r["company"].(map[string]any)["associates"].([]any))
		}
	}
	if n := e.count(`SELECT count(*) FROM associates`); n != want {
		t.Errorf("%d associates, want %d", n, want)
	}
}

// An interrupted import stops reading: the lines after the interruption
// are neither parsed nor written, and the import says why it stopped.
func TestImportStopsReadingWhenInterrupted(t *testing.T) {
	e := copyEnv(t)
	ctx, cancel := context.WithCancel(e.ctx)
	lines := jsonLines(t, generated(t, 14, 3))
	res, err := e.svc.ImportWith(ctx, access.System("import"), strings.NewReader(strings.Join(lines, "\n")+"\n"),
		customer.ImportOptions{TrustStatus: true, Lines: func(n int) {
			if n == 2 {
				cancel()
			}
		}}, func(customer.LineError) {})
	if !errors.Is(err, context.Canceled) || res.Imported+res.Failed > 2 {
		t.Fatalf("result %+v, error %v; want at most the two lines read and context.Canceled", res, err)
	}
	if n := e.count(`SELECT count(*) FROM customers`); n > 0 {
		t.Fatalf("%d customers stored after the interruption", n)
	}
}

// The COPY batch writes its rows as COPY text itself: values that text must
// escape (backslashes, line breaks, a carriage return — also inside the audit
// entry's JSON) and absent ones (NULL) are stored exactly as the per-line
// path's INSERTs store them.
func TestImportCopyEscapesAsPerLine(t *testing.T) {
	recs := generated(t, 13, 12)
	for i, r := range recs {
		co := r["company"].(map[string]any)
		co["name"] = fmt.Sprintf(`Back\slash \\N Trading %d`, i)
		switch i % 3 {
		case 0:
			co["description"] = "line one\r\nline two\nthree \\ end \\N"
		case 1:
			co["description"] = nil
			co["address"].(map[string]any)["addressLine2"] = nil
		}
		p := firstAssociate(r)
		p["lastName"] = `O\'Brien`
		if i%2 == 0 {
			p["address"] = nil
		}
	}
	lines := strings.Join(jsonLines(t, recs), "\n")
	run := func(e *env) {
		res, err := e.svc.ImportWith(e.ctx, access.System("import"), strings.NewReader(lines), customer.ImportOptions{TrustStatus: true},
			func(le customer.LineError) { t.Errorf("refused: %v", le) })
		if err != nil || res.Imported != len(recs) {
			t.Fatalf("import: %+v %v", res, err)
		}
	}
	bulk, perLine := copyEnv(t), copyEnv(t)
	run(bulk)
	customer.WritePerLine(t)
	run(perLine)
	if n := countRows(t, bulk.db); n > 9 {
		t.Fatalf("%d counter rows: the batch was not written by one COPY", n)
	}
	got, want := snapshot(t, bulk.db), snapshot(t, perLine.db)
	for table := range want {
		if strings.Join(got[table], "\n") != strings.Join(want[table], "\n") {
			for i := range want[table] {
				if i >= len(got[table]) || got[table][i] != want[table][i] {
					t.Fatalf("%s differs at row %d:\ncopy:     %v\nper line: %s", table, i, at(got[table], i), want[table][i])
				}
			}
			t.Fatalf("%s: %d rows by COPY, %d per line", table, len(got[table]), len(want[table]))
		}
	}
	var desc string
	if err := bulk.db.Get(&desc, `SELECT description FROM customers WHERE name = 'Back\slash \\N Trading 0'`); err != nil || desc != "line one\nline two\nthree \\ end \\N" { // a line ends in \n once validated
		t.Errorf("description %q %v", desc, err)
	}
}

// A fresh import's batch is written by COPY without looking its references
// up first; the lookup runs only for a batch whose COPY met a stored one,
// and that batch's clean lines still go in one COPY.
func TestImportLooksUpStoredReferencesOnlyOnAConflict(t *testing.T) {
	e := copyEnv(t)
	recs := generated(t, 21, 40)
	before := customer.StoredLookups()
	if res, nums, msgs := e.importLines(customer.ImportOptions{TrustStatus: true}, jsonLines(t, recs[:30])...); res.Imported != 30 {
		t.Fatalf("first import %+v %v %v", res, nums, msgs)
	}
	if n := customer.StoredLookups() - before; n != 0 {
		t.Errorf("a fresh batch looked stored references up %d times, want 0", n)
	}
	counts := countRows(t, e.db)
	res, nums, msgs := e.importLines(customer.ImportOptions{TrustStatus: true}, jsonLines(t, recs[25:])...) // lines 1-5 are stored
	if res.Imported != 10 || res.Failed != 5 || fmt.Sprint(nums) != "[1 2 3 4 5]" {
		t.Fatalf("result %+v, refused %v %v; want lines 1-5 refused", res, nums, msgs)
	}
	if n := customer.StoredLookups() - before; n != 1 {
		t.Errorf("a batch with stored references looked them up %d times, want 1", n)
	}
	if n := countRows(t, e.db) - counts; n > 9 {
		t.Errorf("%d counter rows for ten clean lines: not one COPY", n)
	}
}

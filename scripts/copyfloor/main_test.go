package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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

func TestMain(m *testing.M) { pgtest.Main(m) }

// copyTextSQL answers the rows of a SELECT of text columns as COPY text
// lines (tabs between fields, \N for NULL, backslash, tab, newline and
// carriage return escaped), as psql's COPY … TO writes them for
// bench-copy-floor.sh.
func copyTextSQL(cols, from string) string {
	return `SELECT (SELECT string_agg(coalesce(replace(replace(replace(replace(f.value, '\', '\\'), E'\t', '\t'), E'\n', '\n'), E'\r', '\r'), '\N'), E'\t' ORDER BY f.n)
  FROM json_each_text(to_json(r)) WITH ORDINALITY AS f(key, value, n))
FROM (SELECT ` + cols + ` ` + from + `) r`
}

// textCols casts each of a comma-separated column list to text.
func textCols(cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = c + "::text AS " + c
	}
	return strings.Join(parts, ", ")
}

// dump writes what an import stored in db as bench-copy-floor.sh's four
// files of rows.
func dump(t *testing.T, db *sqlx.DB, dir string) {
	t.Helper()
	files := map[string]string{
		"customers":             copyTextSQL(textCols(customerCols), "FROM customers ORDER BY id"),
		"customer_search_grams": copyTextSQL("customer_id::text AS customer_id, grams::text AS grams", "FROM customer_search_grams ORDER BY customer_id"),
		"associates":            copyTextSQL(textCols(associateCols), "FROM associates ORDER BY customer_id, position"),
		"audit_entries":         copyTextSQL(textCols(auditCols), "FROM audit_entries WHERE action = 'customer.import' ORDER BY customer_id, id"),
	}
	for name, q := range files {
		var rows []string
		if err := db.Select(&rows, q); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(rows, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// stored is what a load leaves, keyed by references (ids may differ).
func stored(t *testing.T, db *sqlx.DB) map[string][]string {
	t.Helper()
	queries := map[string]string{
		"customers": `SELECT (to_jsonb(c) - 'id')::text FROM customers c ORDER BY reference`,
		"associates": `SELECT (to_jsonb(a) - 'id' - 'customer_id' || jsonb_build_object('customer', c.reference))::text
FROM associates a JOIN customers c ON c.id = a.customer_id ORDER BY a.reference`,
		"audit": `SELECT (to_jsonb(e) - 'id' - 'customer_id' - 'occurred_at' || jsonb_build_object('customer', c.reference))::text
FROM audit_entries e JOIN customers c ON c.id = e.customer_id ORDER BY c.reference, e.id`,
		"counts": `SELECT format('%s %s %s', status, risk_score, sum(n)) FROM customer_counts GROUP BY status, risk_score ORDER BY status, risk_score`,
		"grams":  `SELECT format('%s %s', c.reference, g.grams) FROM customers c LEFT JOIN customer_search_grams g ON g.customer_id = c.id ORDER BY c.reference`,
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

// The parallel floor loads, batch by batch over several connections, the
// very rows an import stored: the customers, associates, audit entries,
// search grams and counters of a fresh database loaded by copyfloor equal
// those of the database `verity import` wrote — so the floor measures the
// import's rows, with the import's column lists and counters, and a schema
// change that its statements no longer fit fails here first.
func TestFloorLoadsWhatTheImportStored(t *testing.T) {
	ctx := context.Background()
	src := pgtest.New(t)
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	svc := customer.NewService(src, customer.Options{FourEyes: true, VerifyBaseURL: "https://verify.test/",
		Now: func() time.Time { return now }, Events: webhook.NewService(src, webhook.Options{AllowPrivate: true})})
	var lines bytes.Buffer
	if err := seed.Generate(&lines, 11, 45); err != nil {
		t.Fatal(err)
	}
	res, err := svc.ImportWith(ctx, access.System("import"), &lines, customer.ImportOptions{TrustStatus: true},
		func(le customer.LineError) { t.Errorf("refused: %v", le) })
	if err != nil || res.Imported != 45 {
		t.Fatalf("import: %+v %v", res, err)
	}
	dir := t.TempDir()
	dump(t, src, dir)
	dst := pgtest.NewURL(t)
	if err := run(dst, dir, 3, 10); err != nil { // five batches, the last one short, over three connections
		t.Fatal(err)
	}
	db := sqlx.MustOpen("postgres", dst)
	defer db.Close()
	got, want := stored(t, db), stored(t, src)
	for table := range want {
		if len(want[table]) == 0 {
			t.Fatalf("%s: the import stored nothing to compare", table)
		}
		if strings.Join(got[table], "\n") != strings.Join(want[table], "\n") {
			t.Errorf("%s: the floor loaded %d rows unlike the import's %d:\nfloor:  %.300v\nimport: %.300v", table, len(got[table]), len(want[table]), got[table], want[table])
		}
	}
	var batches int
	if err := db.Get(&batches, `SELECT count(*) FROM customer_counts`); err != nil {
		t.Fatal(err)
	}
	if batches < 5 { // one delta row per status and risk of each batch, as the import's
		t.Errorf("%d counter rows: the rows were not loaded in five batches", batches)
	}
}

// load cuts the rows into batches of whole customers: each batch's
// associates and audit entries are its customers'.
func TestLoadCutsBatchesByCustomer(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"customers":             "1\tr1\tPENDING\tCOMPANY\tLOW\n2\tr2\tVERIFIED\tCOMPANY\tHIGH\n3\tr3\tPENDING\tCOMPANY\tLOW\n",
		"customer_search_grams": "1\t{a}\n2\t{b}\n3\t{c}\n",
		"associates":            "1\ta1\t0\n1\ta2\t1\n3\ta3\t0\n",
		"audit_entries":         "system\tx\tx\tcustomer.import\t1\n\\N\tx\tx\tcustomer.import\t2\nsystem\tx\tx\tcustomer.import\t3\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	bs, err := load(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].n != 2 || bs[1].n != 1 {
		t.Fatalf("batches %+v, want 2 customers then 1", bs)
	}
	want := [][]string{
		{"1\tr1\tPENDING\tCOMPANY\tLOW\n2\tr2\tVERIFIED\tCOMPANY\tHIGH", "1\t{a}\n2\t{b}", "1\ta1\t0\n1\ta2\t1",
			"system\tx\tx\tcustomer.import\t1\n\\N\tx\tx\tcustomer.import\t2"},
		{"3\tr3\tPENDING\tCOMPANY\tLOW", "3\t{c}", "3\ta3\t0", "system\tx\tx\tcustomer.import\t3"},
	}
	for i, b := range bs {
		for j, p := range b.copies {
			if got := strings.Join(p.text, "\n"); got != want[i][j] {
				t.Errorf("batch %d, %s: %q, want %q", i, p.table, got, want[i][j])
			}
		}
	}
	if got := strings.Join(bs[0].statuses, ",") + " " + strings.Join(bs[0].risks, ","); got != "PENDING,VERIFIED LOW,HIGH" {
		t.Errorf("first batch's counters %s", got)
	}
}

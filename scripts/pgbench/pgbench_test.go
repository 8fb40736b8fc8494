// Package pgbench holds the SQL scripts `make bench-ceiling` gives pgbench;
// its test runs each against the current schema and checks the rows it touches.
package pgbench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/postgres"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// seed stores four customers with two associates each, three in the working
// set's statuses and one VERIFIED, and builds the working set.
func seed(t *testing.T, db *sqlx.DB) {
	ctx := context.Background()
	stmts := []string{
		`INSERT INTO customers (reference, status, risk_score, name, tax_residence_country_code, registration_number,
		   address_line1, city, postal_code, country_code, verification_url, verification_status, search_text)
		 SELECT gen_random_uuid(), s::customer_status, 'LOW', 'Co ' || n, 'US', 'R' || n, '1 Main St', 'NYC', '10001',
		   'US', 'https://v', 'pending', 'co ' || n
		 FROM unnest(ARRAY['PENDING', 'REJECTED', 'PENDING', 'VERIFIED']) WITH ORDINALITY AS t(s, n)`,
		`INSERT INTO associates (customer_id, reference, position, first_name, last_name, title, verification_url,
		   verification_status)
		 SELECT c.id, gen_random_uuid(), p, 'Ada', 'Lovelace ' || p, 'Owner', 'https://v', 'pending'
		 FROM customers c, generate_series(0, 1) p`,
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := os.ReadFile("working-set.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, strings.ReplaceAll(string(ws), ":set_size", "3")); err != nil {
		t.Fatalf("working-set.sql: %v", err)
	}
}

// withOutbox writes PUT details' script with the outbox's part in place of its
// final SELECT, as make bench-ceiling composes it, and answers its path.
func withOutbox(t *testing.T) string {
	t.Helper()
	details, err := os.ReadFile("update-details.sql")
	if err != nil {
		t.Fatal(err)
	}
	part, err := os.ReadFile("outbox.sql")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(details), "\n"), "\n")
	path := filepath.Join(t.TempDir(), "update-details-outbox.sql")
	if err := os.WriteFile(path, []byte(strings.Join(lines[:len(lines)-1], "")+string(part)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// run gives one script to pgbench as make bench-ceiling does: -M prepared, two
// clients with one customer each, five transactions per client.
func run(t *testing.T, pgbench, dsn, script string) {
	t.Helper()
	out, err := exec.Command(pgbench, "-n", "-M", "prepared", "-c", "2", "-j", "1", "-t", "5", "-D", "per=1",
		"-f", script, dsn).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "number of failed transactions: 0") ||
		!strings.Contains(string(out), "actually processed: 10/10") {
		t.Fatalf("pgbench %s: %v\n%s", script, err, out)
	}
}

func TestScriptsRunAndTouchTheOperationsRows(t *testing.T) {
	pgbench := pgtest.Pgbench(t)
	raw := pgtest.NewURL(t)
	db, err := postgres.Open(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dsn := pgtest.LibpqURL(t, raw)
	seed(t, db)
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.Get(&n, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM bench_ceiling.working_set`); n != 3 {
		t.Fatalf("working set holds %d customers, want the 3 PENDING/REJECTED", n)
	}

	run(t, pgbench, dsn, "read-one.sql")
	if n := count(`SELECT count(*) FROM audit_entries`); n != 0 {
		t.Fatalf("reading wrote %d audit entries", n)
	}

	run(t, pgbench, dsn, "update-details.sql")
	if n := count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.update'`); n != 10 {
		t.Fatalf("update-details: %d audit entries, want one per transaction (10)", n)
	}
	if n := count(`SELECT count(*) FROM customers WHERE description LIKE 'pgbench edit %'`); n != 2 {
		t.Fatalf("update-details edited %d customers, want the two clients' own", n)
	}

	// The outbox's floor: with no endpoint subscribed the write stores no event; with one, an event
	// carrying the payload and a delivery to that endpoint per write.
	do := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	do(`CREATE TABLE bench_ceiling.outbox AS SELECT 'platform:accounts:customer:data-updated'::text AS name,
		'{"reference": "r", "status": "PENDING"}'::text AS payload`)
	do(`INSERT INTO webhook_endpoints (reference, url, events, enabled, secret) VALUES (gen_random_uuid(),
		'https://bench-ceiling.invalid/hook', ARRAY['platform:accounts:customer:data-updated'], false, 's')`)
	outbox := withOutbox(t)
	run(t, pgbench, dsn, outbox)
	if n := count(`SELECT count(*) FROM webhook_events`); n != 0 {
		t.Fatalf("update-details-outbox with no endpoint subscribed stored %d events, want none", n)
	}
	do(`UPDATE webhook_endpoints SET enabled = true`)
	run(t, pgbench, dsn, outbox)
	if n := count(`SELECT count(*) FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id
		AND d.customer_id = e.customer_id AND d.state = 'pending'
		JOIN customers c ON c.id = e.customer_id AND c.description LIKE 'pgbench edit %'
		WHERE e.payload = (SELECT payload FROM bench_ceiling.outbox)`); n != 10 {
		t.Fatalf("update-details-outbox with one endpoint: %d events with their delivery, want one per transaction (10)", n)
	}
	if n := count(`SELECT count(DISTINCT event_id) FROM webhook_events`); n != 10 {
		t.Fatalf("update-details-outbox: %d distinct event ids, want 10", n)
	}
	if n := count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.update'`); n != 30 {
		t.Fatalf("update-details-outbox: %d audit entries in all, want 30 (one per write)", n)
	}

	run(t, pgbench, dsn, "replace-associates.sql")
	if n := count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.associates'`); n != 10 {
		t.Fatalf("replace-associates: %d audit entries, want 10", n)
	}
	if n := count(`SELECT count(*) FROM associates WHERE title LIKE 'Director %'`); n != 4 {
		t.Fatalf("replace-associates: %d associates rewritten, want the two customers' four", n)
	}
	if n := count(`SELECT count(*) FROM associates`); n != 8 {
		t.Fatalf("replace-associates left %d associates, want the 8 there were", n)
	}

	run(t, pgbench, dsn, "change-status.sql")
	if n := count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.status'`); n != 10 {
		t.Fatalf("change-status: %d audit entries, want 10", n)
	}
	if n := count(`SELECT count(*) FROM customer_notes n JOIN audit_entries a ON a.id = n.status_entry_id
		WHERE n.status_from IS DISTINCT FROM n.status_to`); n != 10 {
		t.Fatalf("change-status: %d notes tied to their audit entry, want 10", n)
	}
	// Five toggles each: both clients' customers (Co 1 PENDING, Co 2 REJECTED) end in the other status.
	if n := count(`SELECT count(*) FROM customers WHERE (name, status) IN (('Co 1', 'REJECTED'), ('Co 2', 'PENDING'))`); n != 2 {
		t.Fatalf("change-status: %d of the two customers toggled an odd number of times changed status", n)
	}
	if n := count(`SELECT max(version) FROM customers`); n != 1+5+5+5+5+5 {
		t.Fatalf("a customer's version is %d, want 26 (one bump per write)", n)
	}
}

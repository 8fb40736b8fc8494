// Package floor holds the SQL scripts `make bench-floor` gives pgbench: the
// statements the server runs for each API scenario. Its test runs each
// against the current schema, as the bench script does, and checks the rows
// it touches, so a schema change that breaks a script fails here first.
package floor

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

// seed stores four customers with two associates each (three in the working
// set's statuses, all LOW risk, one VERIFIED), a staff user with a live
// session, and runs setup.sql with a working set of three.
func seed(t *testing.T, db *sqlx.DB) {
	ctx := context.Background()
	stmts := []string{
		`INSERT INTO customers (reference, status, risk_score, name, tax_residence_country_code, registration_number,
		   address_line1, city, postal_code, country_code, verification_url, verification_status, search_text)
		 SELECT gen_random_uuid(), s::customer_status, 'LOW', 'Co ' || n, 'US', 'R' || n, '1 Main St', 'NYC', '10001',
		   'US', 'https://v', 'pending', 'co ' || n
		 FROM unnest(ARRAY['PENDING', 'REJECTED', 'PENDING', 'VERIFIED']) WITH ORDINALITY AS t(s, n)`,
		`INSERT INTO associates (customer_id, reference, position, first_name, last_name, date_of_birth, title,
		   document_type, document_number, risk_score, verification_url, verification_status)
		 SELECT c.id, gen_random_uuid(), p, 'Ada', 'Lovelace ' || p, ('1990-01-0' || (p + 1))::date, 'Owner', 'PASSPORT', 'P' || c.id || p,
		   'LOW', 'https://v', 'pending'
		 FROM customers c, generate_series(0, 1) p`,
		`INSERT INTO staff_users (email, name, role, password_hash) VALUES ('officer@example.test', 'Officer', 'officer', 'x')`,
		`INSERT INTO staff_sessions (id, user_id, user_version, created_at, last_seen_at)
		 SELECT decode(repeat('ab', 32), 'hex'), id, 1, now(), now() FROM staff_users`,
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	setup, err := os.ReadFile("setup.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, strings.ReplaceAll(string(setup), ":set_size", "3")); err != nil {
		t.Fatalf("setup.sql: %v", err)
	}
}

// fill writes a template (search.sql, page-search.sql) for one term, as
// scripts/bench-floor.sh does.
func fill(t *testing.T, template, pattern, ids21, ids20 string) string {
	t.Helper()
	b, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer("@PATTERN@", pattern, "@IDS21@", ids21, "@IDS20@", ids20).Replace(string(b))
	out := filepath.Join(t.TempDir(), template)
	if err := os.WriteFile(out, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// run gives one script to pgbench as make bench-floor does: -M prepared, two
// clients with one customer each, five transactions per client.
func run(t *testing.T, pgbench, dsn, script string) {
	t.Helper()
	out, err := exec.Command(pgbench, "-n", "-M", "prepared", "-c", "2", "-j", "1", "-t", "5", "-D", "per=1",
		"-D", "status=PENDING", "-D", "risk=LOW", "-D", "lim=21", "-D", `sid=\x`+strings.Repeat("ab", 32),
		"-D", "uid=1", "-f", script, dsn).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "number of failed transactions: 0") ||
		!strings.Contains(string(out), "actually processed: 10/10") {
		t.Fatalf("pgbench %s: %v\n%s", script, err, out)
	}
}

func TestScriptsRunTheServersStatements(t *testing.T) {
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
	if n := count(`SELECT count(*) FROM bench_floor.ws WHERE a_n = 2 AND length(payload) > 100`); n != 3 {
		t.Fatalf("working set holds %d customers with their associates, want the 3 PENDING/REJECTED", n)
	}
	if n := count(`SELECT count(*) FROM bench_floor.pages WHERE (p = 0) = (ids::bigint[] @> '{1,3}') AND (p = 0 OR ids = '{}')`); n != 50 {
		t.Fatalf("pages: %d of 50 as expected, want page 0 holding the two PENDING LOW customers and pages 1..49 empty", n)
	}

	for _, s := range []string{"get-one.sql", "list.sql",
		fill(t, "search.sql", "'%co%'", "'{1,2,3,4}'", "'{1,2,3}'"), fill(t, "page-search.sql", "'%co%'", "'{1,2,3,4}'", "")} {
		run(t, pgbench, dsn, s)
	}
	if n := count(`SELECT count(*) FROM audit_entries`); n != 0 {
		t.Fatalf("reading wrote %d audit entries", n)
	}

	run(t, pgbench, dsn, "put-details.sql")
	if n := count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.update'`); n != 10 {
		t.Fatalf("put-details: %d audit entries, want one per transaction (10)", n)
	}
	if n := count(`SELECT count(*) FROM customers WHERE description LIKE 'Load test edit floor%'`); n != 2 {
		t.Fatalf("put-details edited %d customers, want the two clients' own", n)
	}

	run(t, pgbench, dsn, "put-associates.sql")
	if n := count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.associates'`); n != 10 {
		t.Fatalf("put-associates: %d audit entries, want 10", n)
	}
	if n := count(`SELECT count(*) FROM associates WHERE title LIKE 'Director %' AND date_of_birth IS NOT NULL`); n != 4 {
		t.Fatalf("put-associates: %d associates rewritten whole, want the two customers' four", n)
	}
	if n := count(`SELECT count(*) FROM associates`); n != 8 {
		t.Fatalf("put-associates left %d associates, want the 8 there were", n)
	}

	run(t, pgbench, dsn, "put-status.sql")
	if n := count(`SELECT count(*) FROM customer_notes n JOIN audit_entries a ON a.id = n.status_entry_id
		WHERE a.action = 'customer.status' AND n.status_from IS DISTINCT FROM n.status_to`); n != 10 {
		t.Fatalf("put-status: %d notes tied to their audit entry, want 10", n)
	}
	// Five toggles each: both clients' customers end in the other status.
	if n := count(`SELECT count(*) FROM customers WHERE (name, status) IN (('Co 1', 'REJECTED'), ('Co 2', 'PENDING'))`); n != 2 {
		t.Fatalf("put-status: %d of the two customers toggled an odd number of times changed status", n)
	}
	if n := count(`SELECT max(version) FROM customers`); n != 1+5+5+5 {
		t.Fatalf("a customer's version is %d, want 16 (one bump per write)", n)
	}
	if n := count(`SELECT count(*) FROM webhook_events`); n != 0 {
		t.Fatalf("with no endpoint subscribed the writes stored %d events, want none", n)
	}

	// With an endpoint subscribed, each write stores its event and the delivery in the same statement.
	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO webhook_endpoints (reference, url, events, secret) VALUES (gen_random_uuid(), 'https://hook.example.test',
		ARRAY['platform:accounts:customer:data-updated', 'platform:accounts:customer:status-change'], 'x')`)
	for _, s := range []string{"put-details.sql", "put-associates.sql", "put-status.sql"} {
		run(t, pgbench, dsn, s)
	}
	if n := count(`SELECT count(*) FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id AND d.customer_id = e.customer_id
		WHERE e.name = 'platform:accounts:customer:data-updated' AND json_typeof(e.payload::json) = 'object'`); n != 20 {
		t.Fatalf("put-details and put-associates stored %d data-updated events with their delivery, want 20", n)
	}
	if n := count(`SELECT count(*) FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id
		WHERE e.name = 'platform:accounts:customer:status-change' AND e.payload::json ->> 'reason' = 'load test'`); n != 10 {
		t.Fatalf("put-status stored %d status-change events with their delivery, want 10", n)
	}

	// The write takes the row only with the assignee it was read with (none): assigned, nothing is written.
	exec(`UPDATE customers SET assignee_id = (SELECT id FROM staff_users) WHERE id IN (SELECT id FROM bench_floor.ws)`)
	before := count(`SELECT count(*) FROM audit_entries`)
	for _, s := range []string{"put-details.sql", "put-associates.sql", "put-status.sql"} {
		run(t, pgbench, dsn, s)
	}
	if n := count(`SELECT count(*) FROM audit_entries`) - before; n != 0 {
		t.Fatalf("writes to customers assigned since they were read stored %d audit entries, want none", n)
	}
	if n := count(`SELECT max(version) FROM customers`); n != 16+15 {
		t.Fatalf("a customer's version is %d, want 31 (the assigned customers' writes took nothing)", n)
	}
}

package customer

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/pgtest"
)

// walkTestService is a service on a fresh database with one customer and
// one staff member, Vera (id 1), to own some of the customers a test adds.
func walkTestService(t *testing.T) (context.Context, *sqlx.DB, *Service) {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test"})
	createForStoreTest(t, s)
	if _, err := db.ExecContext(ctx, `INSERT INTO staff_users (id, email, name, role, password_hash)
VALUES (1, 'vera@example.com', 'Vera', 'officer', 'x') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	return ctx, db, s
}

// TestSearchWalkAnswersInOneRow: the walk sends back its counts per status,
// the page's ids (newest first, among the statuses shown, from the page's
// offset, one more than its size) and the Mine count — not its matches.
func TestSearchWalkAnswersInOneRow(t *testing.T) {
	ctx, db, s := walkTestService(t)
	// 30 matches, newest first: i = 1, 2, …; status by i % 3; i = 5 is assigned to person 1.
	if _, err := db.ExecContext(ctx, `INSERT INTO customers (reference, status, risk_score, name, tax_residence_country_code,
  registration_number, address_line1, city, postal_code, country_code, verification_url, verification_status, updated_at, assignee_id, search_text)
SELECT gen_random_uuid(), (ARRAY['PENDING', 'VERIFIED', 'REJECTED'])[1 + i % 3]::customer_status, 'LOW', 'Walker ' || i, 'GB',
  'W' || i, '1 High St', 'London', 'N1', 'GB', 'https://verify.test/' || i, 'PENDING', now() + interval '1 day' - i * interval '1 minute',
  CASE WHEN i = 5 THEN 1 END, 'walker ' || i
FROM generate_series(1, 30) i`); err != nil {
		t.Fatal(err)
	}
	var want []int64 // the VERIFIED matches' ids, newest first
	if err := db.SelectContext(ctx, &want, `SELECT id FROM customers WHERE name LIKE 'Walker %' AND status = 'VERIFIED' ORDER BY updated_at DESC, id DESC`); err != nil {
		t.Fatal(err)
	}
	f := Filter{Query: "walker"}
	where, whereArgs := f.where()
	q, args := walkSQL(where, whereArgs, 20, []Status{StatusVerified}, 3, 2, 1, false, false)
	w, err := s.walk(ctx, f, q, args, false)
	if err != nil {
		t.Fatal(err)
	}
	// The walk stops at 21 matches: i = 1..21, of which i % 3 = 0 → PENDING (7), 1 → VERIFIED (7), 2 → REJECTED (7).
	if w.counts[StatusPending] != 7 || w.counts[StatusVerified] != 7 || w.counts[StatusRejected] != 7 || w.mine != 1 {
		t.Fatalf("counts %v, mine %d", w.counts, w.mine)
	}
	if !slices.Equal(w.page, want[3:6]) || w.keys != nil {
		t.Fatalf("page %v (keys %v), want the 4th to 6th VERIFIED match %v and no keys", w.page, w.keys, want[3:6])
	}
	q, args = walkSQL(where, whereArgs, 20, Statuses, 20, 20, 0, false, false)
	if w, err = s.walk(ctx, f, q, args, false); err != nil || len(w.page) != 1 || w.mine != 0 {
		t.Fatalf("the page past the 20th match: %v, mine %d, %v", w.page, w.mine, err)
	}
}

// TestSearchWalkReadsThePagesKeys: for the API, the walk's one statement
// also reads its page's keys — id, version and owner, newest first — so
// the rows come from the list cache without a second round trip.
func TestSearchWalkReadsThePagesKeys(t *testing.T) {
	ctx, db, s := walkTestService(t)
	if _, err := db.ExecContext(ctx, `INSERT INTO customers (reference, status, risk_score, name, tax_residence_country_code,
  registration_number, address_line1, city, postal_code, country_code, verification_url, verification_status, updated_at, assignee_id, search_text, version)
SELECT gen_random_uuid(), 'PENDING', 'LOW', 'Keeper ' || i, 'GB', 'K' || i, '1 High St', 'London', 'N1', 'GB',
  'https://verify.test/' || i, 'PENDING', now() + interval '1 day' - i * interval '1 minute',
  CASE WHEN i = 2 THEN 1 END, 'keeper ' || i, 10 + i
FROM generate_series(1, 5) i`); err != nil {
		t.Fatal(err)
	}
	f := Filter{Query: "keeper"}
	where, whereArgs := f.where()
	q, args := walkSQL(where, whereArgs, 20, Statuses, 1, 3, 0, true, false)
	w, err := s.walk(ctx, f, q, args, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.keys) != 4 || !slices.Equal(w.page, []int64{w.keys[0].ID, w.keys[1].ID, w.keys[2].ID, w.keys[3].ID}) {
		t.Fatalf("page %v, keys %+v: want the keys of the page's 4 ids in its order", w.page, w.keys)
	}
	for i, k := range w.keys { // the page starts at the 2nd newest: i = 2, 3, 4, 5
		if k.Version != int64(12+i) {
			t.Fatalf("key %d has version %d, want %d", i, k.Version, 12+i)
		}
		owned := i == 0
		if k.AssigneeID.Valid != owned || k.AssigneeEmail.Valid != owned || k.AssigneeName.Valid != owned ||
			(owned && (k.AssigneeID.Int64 != 1 || k.AssigneeEmail.String != "vera@example.com" || k.AssigneeName.String != "Vera")) {
			t.Fatalf("key %d's owner: %+v %+v %+v", i, k.AssigneeID, k.AssigneeEmail, k.AssigneeName)
		}
	}
}

// TestCommonTermsWalkOnePreparedPlan: a term held by enough customers for
// the walk to cost less than the index is common, and its walk is one prepared statement
// that PostgreSQL soon runs with a generic plan, not planned per term; a
// rare term and a reference are not.
func TestCommonTermsWalkOnePreparedPlan(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	db.SetMaxOpenConns(1) // one session, whose prepared statements pg_prepared_statements shows
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test"})
	c := createForStoreTest(t, s)
	if _, err := db.ExecContext(ctx, `INSERT INTO customers (reference, status, risk_score, name, tax_residence_country_code,
  registration_number, address_line1, city, postal_code, country_code, verification_url, verification_status, updated_at, search_text)
SELECT gen_random_uuid(), 'PENDING', 'LOW', 'Company ' || i, 'GB', 'R' || i, '1 High St', 'London', 'N1', 'GB',
  'https://verify.test/' || i, 'PENDING', now() - i * interval '1 minute',
  CASE WHEN i % 4 = 0 THEN 'walker company ' ELSE 'company ' END || i || CASE WHEN i = 77 THEN ' rarebird' ELSE '' END
  || CASE WHEN i % 20 = 0 THEN ' sometimes' ELSE '' END
FROM generate_series(1, 3000) i`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE customers`); err != nil {
		t.Fatal(err)
	}
	// 5 % of 3,000 customers: the index finds 150 rows (~750 µs) where the walk
	// would read ~4,000 entries to find 201 (~840 µs), though five of the
	// histogram's 101 bounds hold the term.
	for q, want := range map[string]bool{"walker": true, "WALKER COMP": true, "sometimes": false, "rarebird": false, c.Reference.String(): false} {
		if got, err := s.commonTerm(ctx, q); err != nil || got != want {
			t.Fatalf("commonTerm(%q) = %v, %v; want %v", q, got, err, want)
		}
	}
	reader := access.Actor{Kind: access.ActorUser, ID: 1, Name: "Vera", Role: access.RoleViewer}
	// A rare term's walk collects its matches through the index, then sorts
	// them: the same counts and the same newest page as the walk.
	for q, want := range map[string]struct {
		total  int64
		newest string
	}{"sometimes": {150, "Company 20"}, "rarebird": {1, "Company 77"}} {
		p, err := s.List(ctx, reader, Filter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if p.TotalElements != want.total || !p.TotalExact || len(p.Content) == 0 || p.Content[0].Company.Name != want.newest {
			t.Fatalf("q=%s: total %d (exact %v), %d rows; want %d, the newest %s", q, p.TotalElements, p.TotalExact, len(p.Content), want.total, want.newest)
		}
	}
	for i := range 30 {
		q := []string{"walker", "walker company 1", "company 2", "sometimes", "rarebird", "7z"}[i%6]
		if _, err := s.List(ctx, reader, Filter{Query: q}); err != nil {
			t.Fatal(err)
		}
		// Other filters' walks stay unprepared: they would fill the statement cache.
		if _, err := s.List(ctx, reader, Filter{Query: q, Risks: []RiskScore{RiskLow}, Overdue: i%2 == 0}); err != nil {
			t.Fatal(err)
		}
	}
	var plans []struct {
		Statement string `db:"statement"`
		Generic   int64  `db:"generic_plans"`
		Custom    int64  `db:"custom_plans"`
	}
	if err := db.SelectContext(ctx, &plans, `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements`); err != nil {
		t.Fatal(err)
	}
	rarePrepared := false
	for _, p := range plans {
		if strings.Contains(p.Statement, "strpos(search_text") && strings.Contains(p.Statement, "risk_score") {
			t.Fatalf("a walk with other filters was prepared:\n%s", p.Statement)
		}
		// A short rare term's plan must know its term: the trigram index cannot serve it.
		if strings.Contains(p.Statement, "customer_search_grams WHERE grams") {
			t.Fatalf("a short term's search was prepared:\n%s", p.Statement)
		}
		rarePrepared = rarePrepared || strings.Contains(p.Statement, "search_text LIKE") && strings.Contains(p.Statement, "OFFSET 0")
	}
	if !rarePrepared {
		t.Fatalf("the rare terms' walk was not prepared: %+v", plans)
	}
	for _, p := range plans {
		if strings.Contains(p.Statement, "strpos(search_text") && strings.Contains(p.Statement, "array_agg(id)") {
			if p.Generic == 0 || p.Custom > 5 {
				t.Fatalf("the walk ran %d generic and %d custom plans, want generic after at most 5 custom", p.Generic, p.Custom)
			}
			return
		}
	}
	t.Fatalf("the common terms' walk was not prepared: %+v", plans)
}

// TestTrigramsServe: a rare term is searched through one prepared plan only
// when the trigram index surely serves it.
func TestTrigramsServe(t *testing.T) {
	for term, want := range map[string]bool{
		"sometimes": true, "müller": true, "a 123": true, "zx9": true,
		"ab": false, "---": false, "a-b-c": false, "50%": false, "ü.ö.ä": false, "": false,
	} {
		if got := trigramsServe(term); got != want {
			t.Errorf("trigramsServe(%q) = %v, want %v", term, got, want)
		}
	}
}

package customer

import (
	"context"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/pgtest"
)

// TestListPageKeepsAGenericPlan: paging an unsearched list does not make
// PostgreSQL plan the prepared page query again for every page — after its
// first few executions it runs one generic plan.
func TestListPageKeepsAGenericPlan(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	db.SetMaxOpenConns(1) // one session, whose prepared statements pg_prepared_statements shows
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test"})
	createForStoreTest(t, s)
	// Enough customers for the planner to weigh a deep OFFSET against a shallow one.
	if _, err := db.ExecContext(ctx, `INSERT INTO customers (reference, status, risk_score, name, tax_residence_country_code,
  registration_number, address_line1, city, postal_code, country_code, verification_url, verification_status, updated_at)
SELECT gen_random_uuid(), (ARRAY['PENDING', 'VERIFIED', 'REJECTED'])[1 + i % 3]::customer_status,
  (ARRAY['LOW', 'MEDIUM'])[1 + i % 2]::risk_score, 'Company ' || i, 'GB', 'R' || i, '1 High St', 'London', 'N1', 'GB',
  'https://verify.test/' || i, 'PENDING', now() - i * interval '1 minute'
FROM generate_series(1, 30000) i`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE) customers`); err != nil {
		t.Fatal(err)
	}
	reader := access.Actor{Kind: access.ActorUser, ID: 1, Name: "Vera", Role: access.RoleViewer}
	for i := range 40 {
		f := Filter{Statuses: []Status{StatusPending}, Risks: []RiskScore{RiskLow}, Size: 20, Page: i % 50}
		if _, err := s.List(ctx, reader, f); err != nil {
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
	found := false
	for _, p := range plans {
		if !strings.Contains(p.Statement, "risk_score = $2") || !strings.Contains(p.Statement, "ORDER BY updated_at DESC") {
			continue
		}
		found = true
		if p.Generic == 0 || p.Custom > 5 {
			t.Fatalf("the page query ran %d generic and %d custom plans, want generic after at most 5 custom:\n%s", p.Generic, p.Custom, p.Statement)
		}
	}
	if !found {
		t.Fatalf("the page query was not prepared: %+v", plans)
	}
}

package seed

import (
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
)

// With APPROVAL_REQUIRES_DOCUMENTS on, generated VERIFIED customers (which
// have no documents) still seed: their statuses are imported as trusted.
func TestCustomersSeedWithEvidenceRule(t *testing.T) {
	e := newDemoEnv(t)
	svc := customer.NewService(e.db, customer.Options{VerifyBaseURL: "https://verify.test/kyb", Evidence: document.ApprovalRule()})
	n, err := CustomersWithSeed(e.ctx, svc, 30, 7)
	if err != nil || n != 30 {
		t.Fatalf("seeded %d, %v; want 30", n, err)
	}
	if v := e.count(t, `SELECT count(*) FROM customers WHERE status = 'VERIFIED'`); v == 0 {
		t.Fatal("no VERIFIED customer among 30 generated")
	}
	if n := e.count(t, `SELECT count(*) FROM audit_entries WHERE reason = $1`, customer.TrustedStatusReason); n != 30 {
		t.Fatalf("%d trusted-status entries, want 30", n)
	}
}

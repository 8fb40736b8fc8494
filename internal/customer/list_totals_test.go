package customer_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/seed"
)

// createCompanies makes n customers "Company 00".."Company n-1"; the second
// is VERIFIED and the third REJECTED, the others PENDING.
func (e *env) createCompanies(n int) []*customer.Customer {
	e.t.Helper()
	var all []*customer.Customer
	for i := 0; i < n; i++ {
		body := strings.Replace(seedInput, "Bond Holdings", fmt.Sprintf("Company %02d", i), 1)
		body = strings.Replace(body, "21-4532998", fmt.Sprintf("REG-%02d", i), 1)
		all = append(all, e.create(access.System("setup"), body))
	}
	e.setStatus(admin2, all[1], "VERIFIED")
	e.setStatus(admin2, all[2], "REJECTED")
	return all
}

func TestListSearchTotalsStopAtTheLimit(t *testing.T) {
	e := newEnv(t)
	e.svc = customer.NewService(e.db, customer.Options{FourEyes: true, VerifyBaseURL: verifyBase, SearchCountLimit: 3})
	e.createCompanies(7) // 5 PENDING, 1 VERIFIED, 1 REJECTED
	list := func(f customer.Filter) *customer.Page {
		t.Helper()
		p, err := e.svc.List(e.ctx, viewer, f)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	type want struct {
		content int
		total   int64
		exact   bool
		pages   int
		next    bool
	}
	check := func(t *testing.T, p *customer.Page, w want) {
		t.Helper()
		got := want{len(p.Content), p.TotalElements, p.TotalExact, p.TotalPages, p.HasNext}
		if got != w {
			t.Fatalf("got %+v, want %+v", got, w)
		}
	}
	t.Run("OK_FirstPageIsAtLeastTheLimit", func(t *testing.T) {
		p := list(customer.Filter{Query: "company", Size: 2})
		check(t, p, want{content: 2, total: 3, exact: false, pages: 2, next: true})
		if p.CountsExact {
			t.Fatal("counts of a search past the limit are lower bounds")
		}
		var sum int64
		for st, n := range p.Counts {
			if max := map[customer.Status]int64{customer.StatusPending: 5, customer.StatusVerified: 1, customer.StatusRejected: 1}[st]; n > max {
				t.Fatalf("count %s = %d is more than there are (%d)", st, n, max)
			}
			sum += n
		}
		if sum != 4 { // the limit plus the one that shows there are more
			t.Fatalf("counted %d matches, want 4", sum)
		}
	})
	t.Run("OK_TotalGrowsWithThePagesSeen", func(t *testing.T) {
		check(t, list(customer.Filter{Query: "company", Size: 2, Page: 1}), want{content: 2, total: 5, exact: false, pages: 3, next: true})
	})
	t.Run("OK_LastPageMakesTheTotalExact", func(t *testing.T) {
		check(t, list(customer.Filter{Query: "company", Size: 2, Page: 3}), want{content: 1, total: 7, exact: true, pages: 4, next: false})
		check(t, list(customer.Filter{Query: "company"}), want{content: 7, total: 7, exact: true, pages: 1, next: false})
	})
	t.Run("OK_EmptyPagePastTheEndClaimsNothing", func(t *testing.T) {
		check(t, list(customer.Filter{Query: "company", Size: 2, Page: 9}), want{content: 0, total: 3, exact: false, pages: 2, next: false})
	})
	t.Run("OK_StatusFilterCountsItsOwnMatches", func(t *testing.T) {
		p := list(customer.Filter{Query: "company", Statuses: []customer.Status{customer.StatusVerified}})
		check(t, p, want{content: 1, total: 1, exact: true, pages: 1, next: false})
		if p.Counts[customer.StatusVerified] != 1 {
			t.Fatalf("counts %+v", p.Counts)
		}
		check(t, list(customer.Filter{Query: "company", Statuses: []customer.Status{customer.StatusPending}, Size: 2}),
			want{content: 2, total: 3, exact: false, pages: 2, next: true})
	})
	t.Run("OK_FewMatchesAreExact", func(t *testing.T) {
		p := list(customer.Filter{Query: "company 05", Size: 2})
		check(t, p, want{content: 1, total: 1, exact: true, pages: 1, next: false})
		if !p.CountsExact || p.Counts[customer.StatusPending] != 1 {
			t.Fatalf("counts %+v exact=%v", p.Counts, p.CountsExact)
		}
	})
	t.Run("OK_NoSearchIsAlwaysExact", func(t *testing.T) {
		p := list(customer.Filter{Size: 2})
		check(t, p, want{content: 2, total: 7, exact: true, pages: 4, next: true})
		if !p.CountsExact || p.Counts[customer.StatusPending] != 5 {
			t.Fatalf("counts %+v exact=%v", p.Counts, p.CountsExact)
		}
	})
}

func TestListAfterBulkLoad(t *testing.T) {
	e := newEnv(t)
	all := e.createCompanies(4)
	if n := e.count(`SELECT count(*) FROM customer_counts`); n < 4 {
		t.Fatalf("want a delta row per customer before compaction, got %d", n)
	}
	if err := customer.AfterBulkLoad(e.ctx, e.db); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM customer_counts`); n > 3 {
		t.Fatalf("compaction left %d delta rows for 3 status and risk pairs", n)
	}
	for _, table := range []string{"customers", "customer_counts", "associates", "audit_entries", "customer_search_grams"} {
		if n := e.count(`SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = $1 AND last_analyze IS NOT NULL`, table); n != 1 {
			t.Fatalf("%s was not analysed", table)
		}
	}
	if n := e.count(`SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'customers' AND last_vacuum IS NOT NULL`); n != 1 {
		t.Fatal("customers were not vacuumed")
	}
	// Counts right after the compaction, and deltas on top of it.
	e.setStatus(admin2, all[3], "REJECTED")
	p, err := e.svc.List(e.ctx, viewer, customer.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalElements != 4 || p.Counts[customer.StatusPending] != 1 || p.Counts[customer.StatusVerified] != 1 || p.Counts[customer.StatusRejected] != 2 {
		t.Fatalf("counts %+v total %d", p.Counts, p.TotalElements)
	}
}

func TestPrepareList(t *testing.T) {
	e := newEnv(t)
	// Autovacuum must not analyse the table first, or the test would prove nothing.
	if _, err := e.db.ExecContext(e.ctx, `ALTER TABLE customers SET (autovacuum_enabled = false)`); err != nil {
		t.Fatal(err)
	}
	e.createCompanies(3)
	stats := `SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'customers'`
	if e.count(stats) != 0 {
		t.Fatal("the customers table has statistics before PrepareList ran")
	}
	if err := customer.PrepareList(e.ctx, e.db); err != nil {
		t.Fatal(err)
	}
	if e.count(stats) == 0 {
		t.Fatal("a never-analysed customers table was not analysed")
	}
	if n := e.count(`SELECT count(*) FROM customer_counts`); n > 3 {
		t.Fatalf("compaction left %d delta rows", n)
	}
	if err := customer.PrepareList(e.ctx, e.db); err != nil { // and again: nothing to do
		t.Fatal(err)
	}
}

func TestImportOfManyCustomersLeavesTheListReady(t *testing.T) {
	e := newEnv(t)
	var lines bytes.Buffer
	if err := seed.Generate(&lines, 7, 1000); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Import(e.ctx, officer, &lines, func(le customer.LineError) { t.Errorf("refused %v", le) })
	if err != nil || res.Imported != 1000 {
		t.Fatalf("imported %d: %v", res.Imported, err)
	}
	if n := e.count(`SELECT count(*) FROM customer_counts`); n > 9 {
		t.Fatalf("the import left %d counter deltas", n)
	}
	if n := e.count(`SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'customers'`); n == 0 {
		t.Fatal("customers were not analysed after the import")
	}
	p, err := e.svc.List(e.ctx, viewer, customer.Filter{})
	if err != nil || p.TotalElements != 1000 {
		t.Fatalf("total %v: %v", p, err)
	}
}

package customer_test

import (
	"errors"

	"fmt"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

func TestList(t *testing.T) {
	e := newEnv(t)
	sys := access.System("setup")
	var all []*customer.Customer
	for i := 0; i < 7; i++ {
		body := strings.Replace(seedInput, "Bond Holdings", fmt.Sprintf("Company %02d", i), 1)
		body = strings.Replace(body, "21-4532998", fmt.Sprintf("REG-%02d", i), 1)
		if i == 3 {
			body = strings.Replace(body, `"Sean", "lastName": "Bond"`, `"Zelda", "lastName": "Quartermaine"`, 1)
			body = strings.Replace(body, `"riskScore": "LOW",`+"\n  \"company\"", `"riskScore": "HIGH",`+"\n  \"company\"", 1)
		}
		all = append(all, e.create(sys, body))
	}
	e.setStatus(admin2, all[1], "VERIFIED")
	e.setStatus(admin2, all[2], "REJECTED")
	list := func(f customer.Filter) *customer.Page {
		t.Helper()
		p, err := e.svc.List(e.ctx, viewer, f)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	names := func(p *customer.Page) string {
		var out []string
		for _, c := range p.Content {
			out = append(out, c.Company.Name)
		}
		return strings.Join(out, ",")
	}
	t.Run("OK_CountsAndDefaultOrder", func(t *testing.T) {
		p := list(customer.Filter{})
		if p.TotalElements != 7 || p.Counts[customer.StatusPending] != 5 || p.Counts[customer.StatusVerified] != 1 || p.Counts[customer.StatusRejected] != 1 {
			t.Fatalf("counts %+v total %d", p.Counts, p.TotalElements)
		}
		if p.Content[0].Company.Name != "Company 02" || len(p.Content[0].Company.Associates) != 1 {
			t.Fatalf("most recently updated first, with associates: %s", names(p))
		}
	})
	t.Run("OK_CountsSurviveCompaction", func(t *testing.T) {
		if err := customer.CompactCounts(e.ctx, e.db); err != nil {
			t.Fatal(err)
		}
		if p := list(customer.Filter{}); p.TotalElements != 7 || p.Counts[customer.StatusPending] != 5 {
			t.Fatalf("after compaction %+v", p.Counts)
		}
		if n := e.count(`SELECT count(*) FROM customer_counts`); n > 9 {
			t.Fatalf("compaction left %d rows", n)
		}
	})
	t.Run("OK_StatusFilter", func(t *testing.T) {
		if p := list(customer.Filter{Statuses: []customer.Status{customer.StatusVerified}}); names(p) != "Company 01" || p.TotalElements != 1 {
			t.Fatalf("got %s", names(p))
		}
		if p := list(customer.Filter{Statuses: []customer.Status{customer.StatusVerified, customer.StatusRejected}}); p.TotalElements != 2 {
			t.Fatalf("got %d", p.TotalElements)
		}
	})
	t.Run("OK_RiskFilter", func(t *testing.T) {
		if p := list(customer.Filter{Risks: []customer.RiskScore{customer.RiskHigh}}); names(p) != "Company 03" {
			t.Fatalf("got %s", names(p))
		}
	})
	t.Run("OK_SearchByNameRegistrationAssociateAndReference", func(t *testing.T) {
		for q, want := range map[string]string{
			"company 05":              "Company 05",
			"reg-04":                  "Company 04",
			"quarterm":                "Company 03",
			"ZELDA QUARTERMAINE":      "Company 03",
			all[6].Reference.String(): "Company 06",
		} {
			if p := list(customer.Filter{Query: q}); names(p) != want || p.TotalElements != 1 {
				t.Errorf("q=%q: got %s (%d)", q, names(p), p.TotalElements)
			}
		}
		if p := list(customer.Filter{Query: "100%_"}); p.TotalElements != 0 {
			t.Fatal("LIKE wildcards in q must be literal")
		}
	})
	t.Run("OK_SortByNameAndPages", func(t *testing.T) {
		p := list(customer.Filter{Sort: customer.SortName, Size: 3, Page: 1})
		if names(p) != "Company 03,Company 04,Company 05" || !p.HasNext || p.TotalPages != 3 {
			t.Fatalf("got %s next=%v pages=%d", names(p), p.HasNext, p.TotalPages)
		}
		last := list(customer.Filter{Sort: customer.SortName, Size: 3, Page: 2})
		if names(last) != "Company 06" || last.HasNext {
			t.Fatalf("last page %s", names(last))
		}
		if beyond := list(customer.Filter{Page: 9}); len(beyond.Content) != 0 {
			t.Fatal("a page past the end is empty")
		}
	})
	t.Run("ErrBadFilter", func(t *testing.T) {
		_, err := e.svc.List(e.ctx, viewer, customer.Filter{Size: 101, Page: -1, Sort: "risk"})
		errs := fieldErrors(t, err)
		for _, f := range []string{"size", "page", "sort"} {
			if len(errs[f]) == 0 {
				t.Errorf("want error for %s", f)
			}
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		_, err := e.svc.List(e.ctx, access.Actor{Kind: access.ActorAnonymous}, customer.Filter{})
		wantKind(t, err, apperr.ErrForbidden, "")
	})
}

// A search with a NUL or other control character is a field error, not a
// database error (PostgreSQL refuses NUL bytes in text).
func TestFilterRefusesControlCharacters(t *testing.T) {
	for _, q := range []string{"acme\x00", "a\x07b", "\xff\xfe"} {
		f := customer.Filter{Query: q}
		err := f.Normalize()
		var e *apperr.Error
		if !errors.As(err, &e) || len(e.Fields["q"]) == 0 {
			t.Errorf("Normalize(%q) = %v, want a field error on q", q, err)
		}
	}
	f := customer.Filter{Query: "  Müller & Söhne  "}
	if err := f.Normalize(); err != nil || f.Query != "Müller & Söhne" {
		t.Errorf("plain text refused or not trimmed: %v %q", err, f.Query)
	}
}

func TestListSummaryCountsAssociates(t *testing.T) {
	e := newEnv(t)
	c := e.create(officer, seedInput)
	n := len(c.Company.Associates)
	if n == 0 {
		t.Fatal("the seed customer has associates")
	}
	full, err := e.svc.List(e.ctx, viewer, customer.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := full.Content[0]; len(got.Company.Associates) != n || got.AssociateCount != n {
		t.Fatalf("full list: %d associates, count %d, want %d", len(got.Company.Associates), got.AssociateCount, n)
	}
	sum, err := e.svc.List(e.ctx, viewer, customer.Filter{Summary: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.Content[0]; len(got.Company.Associates) != 0 || got.AssociateCount != n {
		t.Fatalf("summary: %d associates read, count %d, want none read and %d counted", len(got.Company.Associates), got.AssociateCount, n)
	}
}

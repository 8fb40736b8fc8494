package customer_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/seed"
)

// names lists the company names of a page, in order.
func names(p *customer.Page) []string {
	out := make([]string, len(p.Content))
	for i, c := range p.Content {
		out[i] = c.Company.Name
	}
	return out
}

func TestSearchShortTerms(t *testing.T) {
	e := newEnv(t)
	mk := func(name, reg string) *customer.Customer {
		body := strings.Replace(seedInput, "Bond Holdings", name, 1)
		return e.create(officer, strings.Replace(body, "21-4532998", reg, 1))
	}
	zq := mk("Zqx Trading", "Q-1")
	mk("Müller Ærø AG", "M-2")
	mk("Plain Company", "P-3")
	search := func(q string) []string {
		t.Helper()
		p, err := e.svc.List(e.ctx, viewer, customer.Filter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if !p.TotalExact || p.TotalElements != int64(len(p.Content)) {
			t.Fatalf("q=%q: total %d exact %v for %d rows", q, p.TotalElements, p.TotalExact, len(p.Content))
		}
		return names(p)
	}
	for q, want := range map[string]string{
		"zq": "Zqx Trading", "ZQ": "Zqx Trading", "x": "Zqx Trading", "Ü": "Müller Ærø AG", "üL": "Müller Ærø AG",
		"æ": "Müller Ærø AG", "rø": "Müller Ærø AG", "-3": "Plain Company", "q-": "Zqx Trading",
	} {
		if got := search(q); len(got) != 1 || got[0] != want {
			t.Errorf("q=%q found %v, want [%s]", q, got, want)
		}
	}
	for _, q := range []string{"qz", "ß", "v", "%", "_", "ue"} { // no accent folding, as for longer terms
		if got := search(q); len(got) != 0 {
			t.Errorf("q=%q found %v, want nothing", q, got)
		}
	}
	if got := search("an"); len(got) != 3 { // every customer's associate is Sean Bond
		t.Errorf("q=an found %v", got)
	}

	t.Run("OK_RenameKeepsTheGrams", func(t *testing.T) {
		if _, err := e.svc.Update(e.ctx, officer, zq.Reference, customer.DetailsUpdate{Name: customer.Some("Wyvern Ltd")}, nil); err != nil {
			t.Fatal(err)
		}
		if got := search("zq"); len(got) != 0 {
			t.Fatalf("the old name is still found: %v", got)
		}
		if got := search("yv"); len(got) != 1 || got[0] != "Wyvern Ltd" {
			t.Fatalf("the new name is not found: %v", got)
		}
		body := strings.NewReplacer("Updated First Name", "Øbo", "Updated Last Name", "Kjær").Replace(seedAssociatesBody)
		if _, err := e.svc.ReplaceAssociates(e.ctx, officer, zq.Reference, decode[customer.AssociatesInput](t, body), nil); err != nil {
			t.Fatal(err)
		}
		if got := search("jæ"); len(got) != 1 || got[0] != "Wyvern Ltd" {
			t.Fatalf("a new associate's name is not found: %v", got)
		}
	})
	t.Run("OK_GramsMatchTheText", func(t *testing.T) {
		// Every customer's grams are those of its current text, whichever way it was written.
		if n := e.count(`SELECT count(*) FROM customers c LEFT JOIN customer_search_grams g ON g.customer_id = c.id
			WHERE g.grams IS DISTINCT FROM customer_search_grams(c.search_text)`); n != 0 {
			t.Fatalf("%d customers' grams differ from their text", n)
		}
	})
	t.Run("OK_ShortTermsAreFoundThroughTheGrams", func(t *testing.T) {
		// A two-letter search reads the grams table: a customer missing
		// from it is not found by "ab" but still by a longer term.
		if _, err := e.db.ExecContext(e.ctx, `DELETE FROM customer_search_grams WHERE customer_id = $1`, zq.ID); err != nil {
			t.Fatal(err)
		}
		if got := search("yv"); len(got) != 0 {
			t.Fatalf("a two-letter search did not use the grams: %v", got)
		}
		if got := search("wyv"); len(got) != 1 {
			t.Fatalf("a longer term must not need the grams: %v", got)
		}
	})
	t.Run("OK_CommonShortTermsWalkWithoutTheGrams", func(t *testing.T) {
		// Once the statistics say a pair is common, it is searched by the
		// text alone (the newest-first walk): the customer missing from the
		// grams is found again by "n", which every customer's text holds.
		defer customer.SetCommonMatches(1)()
		if _, err := e.db.ExecContext(e.ctx, `ANALYZE customer_search_grams`); err != nil {
			t.Fatal(err)
		}
		e.svc = customer.NewService(e.db, customer.Options{FourEyes: true, VerifyBaseURL: verifyBase})
		if e.count(`SELECT count(*) FROM pg_stats s, unnest(s.most_common_elems::text::text[]) e
			WHERE s.tablename = 'customer_search_grams' AND e = 'n'`) != 1 {
			t.Fatal("the statistics do not know the common letter")
		}
		if got := search("n"); len(got) != 3 {
			t.Fatalf("a common term found %v", got)
		}
		exported := 0
		if err := e.svc.Export(e.ctx, officer, customer.Filter{Query: "n"}, nil, func(*customer.ExportRow) error { exported++; return nil }); err != nil {
			t.Fatal(err)
		}
		if exported != 3 { // the export follows the list's rule
			t.Fatalf("the export of a common term has %d rows, want 3", exported)
		}
		if got := search("yv"); len(got) != 0 { // one customer: rare, through the grams
			t.Fatalf("a rare term did not use the grams: %v", got)
		}
	})
}

func TestImportFillsTheSearchGrams(t *testing.T) {
	e := newEnv(t)
	var lines bytes.Buffer
	if err := seed.Generate(&lines, 3, 50); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Import(e.ctx, officer, &lines, func(le customer.LineError) { t.Errorf("refused %v", le) }); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM customers c JOIN customer_search_grams g ON g.customer_id = c.id
		WHERE g.grams = customer_search_grams(c.search_text)`); n != 50 {
		t.Fatalf("%d of 50 imported customers have their grams", n)
	}
}

// A search past the count limit counts, and pages through, its newest
// matches: the tabs describe what the first pages show.
func TestSearchCountsTheNewestMatches(t *testing.T) {
	e := newEnv(t)
	e.svc = customer.NewService(e.db, customer.Options{FourEyes: true, VerifyBaseURL: verifyBase, SearchCountLimit: 3})
	e.createCompanies(7) // updated last: Company 02 (REJECTED), Company 01 (VERIFIED), then 06, 05, …
	p, err := e.svc.List(e.ctx, viewer, customer.Filter{Query: "company", Size: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := map[customer.Status]int64{customer.StatusRejected: 1, customer.StatusVerified: 1, customer.StatusPending: 2}
	for _, st := range customer.Statuses {
		if p.Counts[st] != want[st] {
			t.Fatalf("counts %v, want those of the 4 newest matches %v", p.Counts, want)
		}
	}
	if got := names(p); strings.Join(got, ",") != "Company 02,Company 01" {
		t.Fatalf("first page %v", got)
	}
	for page, wantNames := range []string{"Company 02,Company 01", "Company 06,Company 05", "Company 04,Company 03", "Company 00"} {
		p, err := e.svc.List(e.ctx, viewer, customer.Filter{Query: "company", Size: 2, Page: page})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(names(p), ","); got != wantNames {
			t.Fatalf("page %d: %s, want %s", page, got, wantNames)
		}
	}
	// By name, the walk's matches are not the page: the page is searched for.
	p, err = e.svc.List(e.ctx, viewer, customer.Filter{Query: "company", Size: 2, Sort: customer.SortName})
	if err != nil || strings.Join(names(p), ",") != "Company 00,Company 01" {
		t.Fatalf("by name: %v %v", names(p), err)
	}
}

// The API's search reads a page's rows as its list does: by (id, version)
// from the list cache, the case owner afresh.
func TestSearchKeepsCustomersByVersion(t *testing.T) {
	e := newEnv(t)
	a := e.create(officer, seedInput)
	searched := func(summary bool) *customer.Customer {
		t.Helper()
		p, err := e.svc.List(e.ctx, viewer, customer.Filter{Query: "bond", Summary: summary})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Content) != 1 {
			t.Fatalf("found %v", names(p))
		}
		return p.Content[0]
	}
	exec := func(q string) {
		t.Helper()
		if _, err := e.db.ExecContext(e.ctx, q, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if c := searched(false); c.Company.Description == nil || *c.Company.Description != "Original description" {
		t.Fatalf("first search: %+v", c.Company)
	}
	exec(`UPDATE customers SET description = 'Changed by hand' WHERE id = $1`)
	if c := searched(false); *c.Company.Description != "Original description" {
		t.Fatalf("the customer was read again for the same version: %q", *c.Company.Description)
	}
	if c := searched(true); *c.Company.Description != "Changed by hand" { // the list page reads fresh
		t.Fatalf("the list page's search: %q", *c.Company.Description)
	}
	exec(`UPDATE customers SET version = version + 1 WHERE id = $1`)
	if c := searched(false); *c.Company.Description != "Changed by hand" {
		t.Fatalf("a new version read the old row: %q", *c.Company.Description)
	}
}

// A common term is walked with strpos instead of LIKE: it finds the same
// customers, the characters LIKE treats specially taken literally.
func TestSearchCommonTermsFindTheSameCustomers(t *testing.T) {
	defer customer.SetCommonMatches(0)() // the short terms too; a longer one held by a few customers walks anyway
	e := newEnv(t)
	for i, name := range []string{"Save 50% Ltd", "Save 500 Ltd", "Under_score Ltd", "Underscore Ltd"} {
		body := strings.Replace(seedInput, "Bond Holdings", name, 1)
		e.create(officer, strings.Replace(body, "21-4532998", fmt.Sprintf("C-%d", i), 1))
	}
	if _, err := e.db.ExecContext(e.ctx, `ANALYZE customers, customer_search_grams`); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"50%": "Save 50% Ltd", "0%": "Save 50% Ltd", "r_s": "Under_score Ltd", "_": "Under_score Ltd",
		"save": "Save 50% Ltd,Save 500 Ltd", "SCORE": "Under_score Ltd,Underscore Ltd", "%": "Save 50% Ltd",
	} {
		// By name the page is read with LIKE, its count from the walk.
		p, err := e.svc.List(e.ctx, viewer, customer.Filter{Query: q, Sort: customer.SortName})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(names(p), ","); got != want || p.TotalElements != int64(len(p.Content)) {
			t.Errorf("q=%q found %s (total %d), want %s", q, got, p.TotalElements, want)
		}
		// Newest first the walk finds the page too.
		p, err = e.svc.List(e.ctx, viewer, customer.Filter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(p); len(got) != strings.Count(want, ",")+1 || p.TotalElements != int64(len(got)) {
			t.Errorf("q=%q newest first found %v (total %d), want %s", q, got, p.TotalElements, want)
		}
	}
}

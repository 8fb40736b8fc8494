package customer

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/pgtest"
)

// TestAssociatesKeptUnderTheVersionRead: when a writer commits between a
// page's rows and its associates, the associates read are the writer's, and
// they are kept under the writer's version, not the one the page read.
func TestAssociatesKeptUnderTheVersionRead(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test"})
	c := createForStoreTest(t, s) // version 1, three associates
	stale := *c
	stale.Company.Associates = []Associate{}
	var in AssociatesInput
	if err := json.Unmarshal([]byte(`{"associates": [{"person": {"firstName": "Grace", "lastName": "Hopper"}}]}`), &in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceAssociates(ctx, access.System("test"), c.Reference, in, nil); err != nil {
		t.Fatal(err)
	}
	kept := []time.Time{time.Now()} // the page's row as if kept
	if err := s.stmts.attachAssociates(ctx, s.prepared(nil), []*Customer{&stale}, kept); err != nil {
		t.Fatal(err)
	}
	if !kept[0].IsZero() {
		t.Fatal("a company whose associates are of another version than its row counts as kept")
	}
	if len(stale.Company.Associates) != 1 || stale.Company.Associates[0].Person.FirstName != "Grace" {
		t.Fatalf("read %+v", stale.Company.Associates)
	}
	if _, ok := s.stmts.list.associates.get(c.ID, 1, time.Now()); ok {
		t.Fatal("the writer's associates were kept under the version the page read")
	}
	if as, ok := s.stmts.list.associates.get(c.ID, 2, time.Now()); !ok || len(as) != 1 {
		t.Fatalf("not kept under the version read: %v %+v", ok, as)
	}
}

// TestGetCachedJSONKeepsTheCompanyEncoded: GET one of a kept customer takes
// its company's encoding from the cache too — the same bytes a fresh Get
// encodes, encoded once per version — and the answer stays the customer's
// current owner; a new version is encoded anew, and the encoding is dropped
// with the row it came from (a hand edit shows within a minute).
func TestGetCachedJSONKeepsTheCompanyEncoded(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test"})
	c := createForStoreTest(t, s)
	viewer := access.System("test")
	get := func() JSON {
		t.Helper()
		j, err := s.GetCachedJSON(ctx, viewer, c.Reference)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := s.Get(ctx, viewer, c.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(j.AppendJSON(nil)), string(AsJSON(fresh).AppendJSON(nil)); got != want {
			t.Fatalf("GET one answers\n%s\nGet encodes\n%s", got, want)
		}
		return j
	}
	if j := get(); j.company != nil { // read whole: nothing kept to reuse yet
		t.Fatal("a customer just read came with a kept encoding")
	}
	first := get()
	if first.company == nil {
		t.Fatal("a kept customer came without its company encoded")
	}
	if again := get(); &again.company[0] != &first.company[0] {
		t.Fatal("the company was encoded again for the same version")
	}

	var in AssociatesInput
	if err := json.Unmarshal([]byte(`{"associates": [{"person": {"firstName": "Grace", "lastName": "Hopper"}}]}`), &in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceAssociates(ctx, viewer, c.Reference, in, nil); err != nil {
		t.Fatal(err)
	}
	get() // the new version, read whole
	if j := get(); j.company == nil || &j.company[0] == &first.company[0] {
		t.Fatal("the new version was answered with the old version's encoding")
	}

	// The row kept a minute ago: the encoding kept with it goes too.
	e, _ := s.stmts.list.rows.entry(c.ID, 2, time.Now())
	s.stmts.list.rows.put(c.ID, 2, e.v, e.at.Add(-listCacheMaxAge))
	s.stmts.list.company.put(c.ID, 2, keptCompany{json: []byte(`"stale"`)}, time.Now())
	if _, err := db.ExecContext(ctx, `UPDATE customers SET name = 'Renamed by hand' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	get() // read whole again
	if j := get(); !strings.Contains(string(j.AppendJSON(nil)), "Renamed by hand") {
		t.Fatal("a hand edit did not show once the row was dropped")
	}
}

// TestListKeepsCompaniesEncoded: an API list page takes its customers'
// company encodings from the cache, as GET one does — the same bytes a fresh
// Get encodes, encoded once per version and kept row — and a new version or a
// hand edit (once its row is dropped) is encoded anew.
func TestListKeepsCompaniesEncoded(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test"})
	c := createForStoreTest(t, s)
	viewer := access.System("test")
	list := func() (JSON, []byte) {
		t.Helper()
		p, err := s.List(ctx, viewer, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Content) != 1 || len(p.companies) != 1 {
			t.Fatalf("a page of %d customers and %d encodings", len(p.Content), len(p.companies))
		}
		fresh, err := s.Get(ctx, viewer, c.Reference)
		if err != nil {
			t.Fatal(err)
		}
		j := p.JSON()[0]
		if got, want := string(j.AppendJSON(nil)), string(AsJSON(fresh).AppendJSON(nil)); got != want {
			t.Fatalf("the list answers\n%s\nGet encodes\n%s", got, want)
		}
		return j, p.companies[0]
	}
	_, first := list() // read whole and kept: encoded and kept with them
	if first == nil {
		t.Fatal("a page's company was not encoded for keeping")
	}
	if _, again := list(); &again[0] != &first[0] {
		t.Fatal("the company was encoded again for the same version")
	}
	if j, err := s.GetCachedJSON(ctx, viewer, c.Reference); err != nil || j.company == nil || &j.company[0] != &first[0] {
		t.Fatalf("GET one did not share the list's kept encoding (%v)", err)
	}

	var in AssociatesInput
	if err := json.Unmarshal([]byte(`{"associates": [{"person": {"firstName": "Grace", "lastName": "Hopper"}}]}`), &in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceAssociates(ctx, viewer, c.Reference, in, nil); err != nil {
		t.Fatal(err)
	}
	if j, enc := list(); &enc[0] == &first[0] || !strings.Contains(string(j.AppendJSON(nil)), "Grace") {
		t.Fatal("the new version was answered with the old version's encoding")
	}

	// The row kept a minute ago: the encoding kept with it goes too.
	e, _ := s.stmts.list.rows.entry(c.ID, 2, time.Now())
	s.stmts.list.rows.put(c.ID, 2, e.v, e.at.Add(-listCacheMaxAge))
	if _, err := db.ExecContext(ctx, `UPDATE customers SET name = 'Renamed by hand' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	if j, _ := list(); !strings.Contains(string(j.AppendJSON(nil)), "Renamed by hand") {
		t.Fatal("a hand edit did not show once the row was dropped")
	}
}

// TestGetCachedJSONCopiesTheKeptCustomer: GET one of a kept customer copies
// the customer kept with its company's encoding — built once per version
// from the kept row and associates, without its owner and last editor —
// instead of building it from the row on every read; the copy carries the
// owner and last editor just read, and a change to the copy leaves the kept
// one alone.
func TestGetCachedJSONCopiesTheKeptCustomer(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test"})
	c := createForStoreTest(t, s)
	viewer := access.System("test")
	get := func() *Customer {
		t.Helper()
		j, err := s.GetCachedJSON(ctx, viewer, c.Reference)
		if err != nil {
			t.Fatal(err)
		}
		return j.Customer
	}
	get() // read whole
	first := get()
	e, ok := s.stmts.list.company.entry(c.ID, c.Version, time.Now())
	if !ok || e.v.customer == nil {
		t.Fatal("GET one kept no customer with the company's encoding")
	}
	kept := e.v.customer
	if kept.LastEditor != nil || kept.Assignee != nil {
		t.Fatalf("the kept customer holds an owner or last editor: %v %v", kept.Assignee, kept.LastEditor)
	}
	second := get()
	if second == kept || second == first {
		t.Fatal("GET one answered the kept customer itself, not a copy")
	}
	if len(second.Company.Associates) == 0 || &second.Company.Associates[0] != &kept.Company.Associates[0] {
		t.Fatal("GET one built the customer again instead of copying the kept one")
	}
	if cap(second.Company.Associates) != len(second.Company.Associates) {
		t.Fatal("an append to a copy's associates would write into the kept ones")
	}
	if second.LastEditor == nil || *second.LastEditor != *c.LastEditor {
		t.Fatalf("last editor %v, want %v", *second.LastEditor, *c.LastEditor)
	}
	second.Company.Name = "Changed in the copy"
	second.Company.Associates = append(second.Company.Associates, Associate{})
	if third := get(); third.Company.Name == "Changed in the copy" || len(third.Company.Associates) != len(first.Company.Associates) {
		t.Fatal("a change to an answer reached the kept customer")
	}
}

// TestReviewChangesOfNoReviewParsesNothing: a customer without a review
// stores "[]", which every read of it turns into no changes without
// running the JSON decoder.
func TestReviewChangesOfNoReviewParsesNothing(t *testing.T) {
	raw := []byte("[]")
	if n := testing.AllocsPerRun(100, func() { _ = reviewChangesOf(raw) }); n != 0 {
		t.Fatalf("%v allocations to read no review changes", n)
	}
	if got := reviewChangesOf([]byte(`[{"path":"name","old":"A","new":"B"}]`)); len(got) != 1 {
		t.Fatalf("review changes %+v", got)
	}
}

// TestVersionedHandsOutItsEntries: a kept entry is handed out as itself,
// not copied (a customer row is some 600 bytes and GET one of a kept
// customer reads only when it was kept), and is never changed: keeping a
// new value makes a new entry, and one handed out earlier still holds its
// own.
func TestVersionedHandsOutItsEntries(t *testing.T) {
	c := newVersioned[customerRow]()
	now := time.Now()
	c.put(7, 1, customerRow{Name: "First"}, now)
	a, ok := c.entry(7, 1, now)
	b, _ := c.entry(7, 1, now)
	if !ok || a != b {
		t.Fatal("the entry was copied out, not handed out")
	}
	c.put(7, 2, customerRow{Name: "Second"}, now)
	if a.v.Name != "First" || a.version != 1 {
		t.Fatalf("keeping a new version changed the entry handed out: %+v", a)
	}
	if _, ok := c.entry(7, 1, now); ok {
		t.Fatal("the old version is still kept")
	}
	if e, ok := c.entry(7, 2, now); !ok || e.v.Name != "Second" {
		t.Fatal("the new version is not kept")
	}
}

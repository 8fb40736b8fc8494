package customer_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
)

// TestListPageAssociates: every page of an unsearched list (its ids read
// through a generic plan) and of a search holds
// each customer exactly as Get reads it — associates in order, none lost to
// a neighbour or to the row read past the page — in list order.
func TestListPageAssociates(t *testing.T) {
	e := newEnv(t)
	var made []*customer.Customer
	for i, n := range []int{0, 1, 3, 2, 0, 1, 2} {
		body := seedInput
		if n == 0 {
			start := strings.Index(body, `"associates": [`)
			end := strings.LastIndex(body, `]`)
			body = body[:start] + `"associates": []` + body[end+1:]
		}
		c := e.create(officer, strings.Replace(body, "Bond Holdings", "Bond Holdings "+string(rune('A'+i)), 1))
		if n > 1 {
			var as []map[string]any
			for j := range n {
				as = append(as, map[string]any{"person": map[string]any{"firstName": "P" + string(rune('a'+j)), "lastName": "Q" + string(rune('A'+i))},
					"details":  map[string]any{"contactInfo": map[string]any{"emailAddress": "p" + string(rune('a'+j)) + string(rune('a'+i)) + "@example.com"}},
					"controls": map[string]any{"isSigner": true}})
			}
			js, _ := json.Marshal(map[string]any{"associates": as})
			var err error
			c, err = e.svc.ReplaceAssociates(e.ctx, officer, c.Reference, decode[customer.AssociatesInput](t, string(js)), nil)
			if err != nil {
				t.Fatal(err)
			}
		}
		made = append(made, c)
	}
	for _, f := range []customer.Filter{{Size: 2}, {Size: 3, Sort: customer.SortName}, {Size: 100}, {Size: 2, Query: "bond holdings"},
		{Size: 2, Statuses: []customer.Status{customer.StatusPending}}, {Size: 3, Summary: true}} {
		var seen []string
		for page := 0; ; page++ {
			f.Page = page
			p, err := e.svc.List(e.ctx, officer, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range p.Content {
				want := e.get(c)
				if f.Summary { // the count alone
					want.Company.Associates = []customer.Associate{}
				}
				if !reflect.DeepEqual(c.Company.Associates, want.Company.Associates) || c.AssociateCount != len(e.get(c).Company.Associates) ||
					c.Version != want.Version || c.Company.Name != want.Company.Name {
					t.Fatalf("filter %+v page %d: %s listed with %d associates %+v, read with %d",
						f, page, c.Company.Name, len(c.Company.Associates), c.Company.Associates, len(want.Company.Associates))
				}
				seen = append(seen, c.Company.Name)
			}
			if !p.HasNext {
				break
			}
		}
		if len(seen) != len(made) {
			t.Fatalf("filter %+v: listed %v, want %d customers", f, seen, len(made))
		}
		if f.Sort == customer.SortName {
			for i := 1; i < len(seen); i++ {
				if seen[i-1] > seen[i] {
					t.Fatalf("not in name order: %v", seen)
				}
			}
		}
	}
}

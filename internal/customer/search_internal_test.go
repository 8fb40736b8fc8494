package customer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/pgtest"
)

// TestSearchWalkHandsBackThePageAlone: a search's walk counts its matches in
// PostgreSQL and hands back only the ids of the page asked for (one row
// long), in list order, among the shown statuses — not every match.
func TestSearchWalkHandsBackThePageAlone(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test", SearchCountLimit: 5})
	for i := range 8 {
		var in CreateInput
		body := strings.Replace(storeTestInput, "Bond Holdings", fmt.Sprintf("Walker %02d", i), 1)
		body = strings.Replace(body, "21-4532998", fmt.Sprintf("W-%02d", i), 1)
		if err := json.Unmarshal([]byte(body), &in); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Create(ctx, access.System("test"), in, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Two of them rejected, straight in the table: the walk reads the status.
	if _, err := db.ExecContext(ctx, `UPDATE customers SET status = 'REJECTED' WHERE registration_number IN ('W-06', 'W-03')`); err != nil {
		t.Fatal(err)
	}
	newest := func(where string, args ...any) []int64 {
		var ids pq.Int64Array
		if err := db.GetContext(ctx, &ids, `SELECT coalesce(array_agg(id ORDER BY updated_at DESC, id DESC), '{}')
			FROM customers WHERE name LIKE 'Walker%' `+where, args...); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	all, pending, seven := newest(""), newest("AND status = 'PENDING'"), newest("AND name = 'Walker 07'")
	for _, tc := range []struct {
		name     string
		f        Filter
		want     []int64
		selected int64
		exact    bool
	}{
		// The walk stops at the 6th match: the counts are those of the newest 6.
		{"all, page 2", Filter{Query: "walker", Size: 2, Page: 1}, all[2:5], 6, false},
		{"all, last walked page", Filter{Query: "walker", Size: 1, Page: 4}, all[4:6], 6, false},
		// Pending alone: a walk of its own (the first hid how many it has).
		{"pending, page 1", Filter{Query: "walker", Size: 2, Statuses: []Status{StatusPending}}, pending[:3], 6, false},
		{"one match", Filter{Query: "walker 07", Size: 3}, seven, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			if err := f.Normalize(); err != nil {
				t.Fatal(err)
			}
			f.Size = tc.f.Size
			p := &Page{}
			sp, err := s.search(ctx, f, p, 0)
			if err != nil {
				t.Fatal(err)
			}
			if sp == nil {
				t.Fatal("the walk did not find the page")
			}
			if !slices.Equal(sp.page, tc.want) || sp.selected != tc.selected || p.CountsExact != tc.exact {
				t.Fatalf("page %v (selected %d), want %v (%d); counts %v exact %v", sp.page, sp.selected, tc.want, tc.selected, p.Counts, p.CountsExact)
			}
		})
	}
}

package customer_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

func (e *env) export(f customer.Filter, refs []uuid.UUID) []customer.ExportRow {
	e.t.Helper()
	var out []customer.ExportRow
	if err := e.svc.Export(e.ctx, viewer, f, refs, func(r *customer.ExportRow) error {
		out = append(out, *r)
		return nil
	}); err != nil {
		e.t.Fatalf("export: %v", err)
	}
	return out
}

func TestExportMatchesList(t *testing.T) {
	e := newEnv(t)
	e.staff()
	var made []*customer.Customer
	for i := range 7 {
		body := strings.Replace(seedInput, "Bond Holdings", "Bond Holdings "+string(rune('A'+i)), 1)
		if i%2 == 0 {
			body = strings.Replace(body, `"riskScore": "LOW",
  "company"`, `"riskScore": "HIGH",
  "company"`, 1)
		}
		made = append(made, e.create(admin, body))
	}
	if _, err := e.assign(officer, made[0], customer.AssignMe); err != nil {
		t.Fatal(err)
	}
	for _, f := range []customer.Filter{
		{},
		{Risks: []customer.RiskScore{customer.RiskHigh}, Sort: customer.SortName},
		{Query: "holdings c"},
		{Assignee: "1", Sort: customer.SortOldest},
		{Assignee: customer.AssigneeNone, Statuses: []customer.Status{customer.StatusPending}},
	} {
		page, err := e.svc.List(e.ctx, viewer, customer.Filter{Statuses: f.Statuses, Risks: f.Risks, Query: f.Query,
			Sort: f.Sort, Assignee: f.Assignee, Size: customer.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		rows := e.export(f, nil)
		if len(rows) != len(page.Content) || len(rows) == 0 {
			t.Fatalf("filter %+v: export %d rows, list %d", f, len(rows), len(page.Content))
		}
		for i, c := range page.Content {
			r := rows[i]
			if r.Reference != c.Reference || r.Name != c.Company.Name || r.Associates != len(c.Company.Associates) ||
				r.Status != c.Status || r.RiskScore != c.RiskScore || (r.Assignee == nil) != (c.Assignee == nil) ||
				!r.UpdatedAt.Equal(c.UpdatedAt) || !r.StatusSince.Equal(c.StatusSince) {
				t.Fatalf("filter %+v row %d: export %+v, list %+v", f, i, r, c)
			}
		}
	}
	if rows := e.export(customer.Filter{}, []uuid.UUID{made[1].Reference, made[3].Reference}); len(rows) != 2 {
		t.Fatalf("export selected: %d rows", len(rows))
	}
}

func TestBulkMixedOutcomes(t *testing.T) {
	e := newEnv(t)
	e.staff()
	a := e.create(admin, seedInput)
	b := e.create(admin, strings.Replace(seedInput, "Bond Holdings", "Second Holdings", 1))
	c := e.create(admin, strings.Replace(seedInput, "Bond Holdings", "Third Holdings", 1))
	// Otto owns b: an officer may not take it from him.
	if _, err := e.assign(officer2, b, customer.AssignMe); err != nil {
		t.Fatal(err)
	}
	auditBefore := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.assign'`)
	items := []customer.BulkItem{{Reference: a.Reference, Version: a.Version}, {Reference: b.Reference},
		{Reference: c.Reference, Version: c.Version + 1}, {Reference: uuid.New()}}
	res, err := e.svc.Bulk(e.ctx, officer, items, customer.BulkAction{Kind: customer.BulkAssign, Assignee: customer.AssignMe})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		ok   bool
		word string
	}{{true, "Assigned to Olivia Officer"}, {false, "not allowed"}, {false, "changed this customer"}, {false, "no such customer"}}
	for i, w := range want {
		if res[i].OK != w.ok || !strings.Contains(res[i].Message, w.word) {
			t.Fatalf("result %d: %+v, want ok=%v %q", i, res[i], w.ok, w.word)
		}
	}
	if res[1].Name != "Second Holdings" {
		t.Fatalf("a refusal names its customer: %+v", res[1])
	}
	if got := e.get(a).Assignee; got == nil || got.ID != 1 {
		t.Fatalf("a: assignee %+v", got)
	}
	if got := e.get(b).Assignee; got == nil || got.ID != 6 {
		t.Fatalf("b must stay Otto's: %+v", got)
	}
	if got := e.get(c).Assignee; got != nil {
		t.Fatalf("c was stale and must stay unassigned: %+v", got)
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.assign'`); n != auditBefore+1 {
		t.Fatalf("one success, one audit entry: %d new", n-auditBefore)
	}
}

func TestBulkReject(t *testing.T) {
	e := newEnv(t)
	e.staff()
	a := e.create(admin, seedInput)
	b := e.create(admin, strings.Replace(seedInput, "Bond Holdings", "Second Holdings", 1))
	items := []customer.BulkItem{{Reference: a.Reference}, {Reference: b.Reference, Version: b.Version + 5}}
	t.Run("ErrViewer", func(t *testing.T) {
		_, err := e.svc.Bulk(e.ctx, viewer, items, customer.BulkAction{Kind: customer.BulkReject, Reason: "x"})
		wantKind(t, err, apperr.ErrForbidden, "")
	})
	t.Run("ErrOfficer", func(t *testing.T) {
		_, err := e.svc.Bulk(e.ctx, officer, items, customer.BulkAction{Kind: customer.BulkReject, Reason: "x"})
		wantKind(t, err, apperr.ErrForbidden, "")
	})
	t.Run("ErrNoReason", func(t *testing.T) {
		_, err := e.svc.Bulk(e.ctx, admin, items, customer.BulkAction{Kind: customer.BulkReject, Reason: " "})
		if fieldErrors(t, err)["reason"] == nil {
			t.Fatalf("want a reason error: %v", err)
		}
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		_, err := e.svc.Bulk(e.ctx, admin, make([]customer.BulkItem, customer.MaxBulk+1), customer.BulkAction{Kind: customer.BulkAssign})
		if fieldErrors(t, err)["selected"] == nil {
			t.Fatalf("want a selection error: %v", err)
		}
	})
	t.Run("OK_OneFailureKeepsOthers", func(t *testing.T) {
		res, err := e.svc.Bulk(e.ctx, admin, items, customer.BulkAction{Kind: customer.BulkReject, Reason: "Shell company"})
		if err != nil {
			t.Fatal(err)
		}
		if !res[0].OK || res[1].OK {
			t.Fatalf("results %+v", res)
		}
		if e.get(a).Status != customer.StatusRejected || e.get(b).Status != customer.StatusPending {
			t.Fatal("a must be rejected, b untouched")
		}
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.status' AND reason = 'Shell company'`); n != 1 {
			t.Fatalf("audit entries with the reason: %d", n)
		}
		res, _ = e.svc.Bulk(e.ctx, admin, items[:1], customer.BulkAction{Kind: customer.BulkReject, Reason: "again"})
		if !res[0].OK || !strings.Contains(res[0].Message, "Already rejected") {
			t.Fatalf("again: %+v", res)
		}
	})
}

package customer_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

// staff stores the test actors as staff users with their ids (1–4) and an
// inactive officer (5), so they can own cases.
func (e *env) staff() {
	e.t.Helper()
	_, err := e.db.ExecContext(e.ctx, `INSERT INTO staff_users (id, email, name, role, password_hash, active) VALUES
  (1, 'olivia@example.com', 'Olivia Officer', 'officer', 'x', true),
  (2, 'ada@example.com', 'Ada Admin', 'admin', 'x', true),
  (3, 'alan@example.com', 'Alan Admin', 'admin', 'x', true),
  (4, 'vera@example.com', 'Vera Viewer', 'viewer', 'x', true),
  (5, 'gone@example.com', 'Gone Officer', 'officer', 'x', false),
  (6, 'otto@example.com', 'Otto Officer', 'officer', 'x', true)`)
	if err != nil {
		e.t.Fatal(err)
	}
}

var officer2 = access.Actor{Kind: access.ActorUser, ID: 6, Name: "Otto Officer", Role: access.RoleOfficer}

func (e *env) assign(a access.Actor, c *customer.Customer, who string) (*customer.Customer, error) {
	return e.svc.Assign(e.ctx, a, c.Reference, who, nil)
}

func TestAssign(t *testing.T) {
	e := newEnv(t)
	e.staff()
	c := e.create(admin, seedInput)
	version := c.Version

	t.Run("ErrViewer", func(t *testing.T) {
		_, err := e.assign(viewer, c, customer.AssignMe)
		wantKind(t, err, apperr.ErrForbidden, "")
	})
	t.Run("OK_OfficerTakes", func(t *testing.T) {
		got, err := e.assign(officer, c, customer.AssignMe)
		if err != nil || got.Assignee == nil || got.Assignee.Email != "olivia@example.com" {
			t.Fatalf("take: %+v, %v", got, err)
		}
		stored := e.get(c)
		if stored.Assignee == nil || stored.Assignee.ID != 1 || stored.Version != version {
			t.Fatalf("stored assignee %+v, version %d (was %d): assignment must not bump the version", stored.Assignee, stored.Version, version)
		}
	})
	t.Run("OK_AuditInSameChange", func(t *testing.T) {
		var changes string
		if err := e.db.GetContext(e.ctx, &changes, `SELECT changes_json::jsonb::text FROM audit_entries WHERE action = 'customer.assign' AND customer_id = $1`, c.ID); err != nil {
			t.Fatal(err)
		}
		if want := `[{"new": "Olivia Officer <olivia@example.com>", "old": null, "path": "assignee"}]`; changes != want {
			t.Fatalf("changes %s, want %s", changes, want)
		}
	})
	t.Run("OK_SameIsNoChange", func(t *testing.T) {
		if _, err := e.assign(officer, c, "olivia@example.com"); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.assign'`); n != 1 {
			t.Fatalf("%d assign entries, want 1", n)
		}
	})
	t.Run("ErrOfficerTakesOthersCase", func(t *testing.T) {
		_, err := e.assign(officer2, c, customer.AssignMe)
		wantKind(t, err, apperr.ErrForbidden, "")
	})
	t.Run("ErrOfficerReleasesOthersCase", func(t *testing.T) {
		_, err := e.assign(officer2, c, "")
		wantKind(t, err, apperr.ErrForbidden, "")
	})
	t.Run("ErrOfficerAssignsSomeoneElse", func(t *testing.T) {
		c2 := e.create(admin, seedInput)
		_, err := e.assign(officer, c2, "6")
		wantKind(t, err, apperr.ErrForbidden, "")
	})
	t.Run("ErrNotAnAssignee", func(t *testing.T) {
		for _, who := range []string{"vera@example.com", "5", "nobody@example.com", "999"} {
			_, err := e.assign(admin, c, who)
			if f := fieldErrors(t, err); len(f["assignee"]) == 0 {
				t.Fatalf("%s: %v", who, err)
			}
		}
	})
	t.Run("ErrStaleIfMatch", func(t *testing.T) {
		_, err := e.svc.Assign(e.ctx, admin, c.Reference, "", customer.Versions{version + 1})
		wantKind(t, err, apperr.ErrStale, "")
	})
	t.Run("OK_AdminReassigns", func(t *testing.T) {
		got, err := e.svc.Assign(e.ctx, admin, c.Reference, "OTTO@example.com", customer.Versions{version})
		if err != nil || got.Assignee == nil || got.Assignee.ID != 6 {
			t.Fatalf("reassign: %+v, %v", got.Assignee, err)
		}
	})
	t.Run("OK_OfficerReleasesOwn", func(t *testing.T) {
		got, err := e.assign(officer2, c, "")
		if err != nil || got.Assignee != nil || e.get(c).Assignee != nil {
			t.Fatalf("release: %+v, %v", got, err)
		}
	})
	t.Run("OK_KeyActsForOwner", func(t *testing.T) {
		key := access.Actor{Kind: access.ActorAPIKey, ID: 9, Name: "sync of Olivia", Role: access.RoleOfficer, OwnerID: 1}
		got, err := e.assign(key, c, customer.AssignMe)
		if err != nil || got.Assignee == nil || got.Assignee.ID != 1 {
			t.Fatalf("key take: %+v, %v", got, err)
		}
	})
	t.Run("ErrServiceKeyIsNobody", func(t *testing.T) {
		key := access.Actor{Kind: access.ActorAPIKey, ID: 10, Name: "nightly", Role: access.RoleAdmin}
		_, err := e.assign(key, e.create(admin, seedInput), customer.AssignMe)
		if f := fieldErrors(t, err); len(f["assignee"]) == 0 {
			t.Fatal(err)
		}
	})
}

func TestAssignDoesNotCountAsEdit(t *testing.T) {
	e := newEnv(t)
	e.staff()
	c := e.create(officer, seedInput) // officer is the latest editor
	if _, err := e.assign(admin, c, customer.AssignMe); err != nil {
		t.Fatal(err)
	}
	// Ada assigned the case to herself; she made no edit, so she may approve.
	if _, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "VERIFIED"}, customer.Versions{c.Version}, false); err != nil {
		t.Fatalf("approve after assigning: %v", err)
	}
}

// pendingAged makes n PENDING customers, the i-th waiting n-i hours.
func (e *env) pendingAged(n int) []*customer.Customer {
	e.t.Helper()
	out := make([]*customer.Customer, n)
	for i := range out {
		out[i] = e.create(admin, seedInput)
		if _, err := e.db.ExecContext(e.ctx, `UPDATE customers SET status_since = now() - $2 * interval '1 hour' WHERE id = $1`, out[i].ID, n-i); err != nil {
			e.t.Fatal(err)
		}
	}
	return out
}

func TestNextCase(t *testing.T) {
	e := newEnv(t)
	e.staff()
	t.Run("ErrNoCase", func(t *testing.T) {
		_, err := e.svc.NextCase(e.ctx, officer)
		if !errors.Is(err, customer.ErrNoCase) || !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("want no_case, got %v", err)
		}
	})
	cs := e.pendingAged(3)
	if _, err := e.assign(officer2, cs[0], customer.AssignMe); err != nil {
		t.Fatal(err)
	}
	t.Run("OK_OldestUnassigned", func(t *testing.T) {
		got, err := e.svc.NextCase(e.ctx, officer)
		if err != nil || got.Reference != cs[1].Reference || got.Assignee == nil || got.Assignee.ID != 1 {
			t.Fatalf("next: %+v, %v; want %s", got, err, cs[1].Reference)
		}
	})
	t.Run("ErrViewer", func(t *testing.T) {
		_, err := e.svc.NextCase(e.ctx, viewer)
		wantKind(t, err, apperr.ErrForbidden, "")
	})
}

func TestNextCaseHighRiskFirst(t *testing.T) {
	e := newEnv(t)
	e.staff()
	e.svc = customer.NewService(e.db, customer.Options{VerifyBaseURL: verifyBase, HighRiskFirst: true})
	cs := e.pendingAged(3)
	if _, err := e.db.ExecContext(e.ctx, `UPDATE customers SET risk_score = 'HIGH' WHERE id = $1`, cs[2].ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.NextCase(e.ctx, officer)
	if err != nil || got.Reference != cs[2].Reference {
		t.Fatalf("next: %v, %v; want the HIGH risk %s", got, err, cs[2].Reference)
	}
}

// TestNextCaseRace: 20 officers press "Next case" at once on 25 callers'
// worth of work for 20 cases: each case goes to exactly one caller, no
// caller gets a case twice, and the five left over hear "no case".
func TestNextCaseRace(t *testing.T) {
	e := newEnv(t)
	e.staff()
	cs := e.pendingAged(20)
	const callers = 25
	var wg sync.WaitGroup
	got := make([]uuid.UUID, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			a := officer
			a.RequestID = fmt.Sprint("race-", i)
			c, err := e.svc.NextCase(e.ctx, a)
			if err == nil {
				got[i] = c.Reference
			}
			errs[i] = err
		}()
	}
	close(start)
	wg.Wait()
	seen := map[uuid.UUID]bool{}
	var none int
	for i, err := range errs {
		switch {
		case errors.Is(err, customer.ErrNoCase):
			none++
		case err != nil:
			t.Fatalf("caller %d: %v", i, err)
		case seen[got[i]]:
			t.Fatalf("case %s handed out twice", got[i])
		default:
			seen[got[i]] = true
		}
	}
	if len(seen) != len(cs) || none != callers-len(cs) {
		t.Fatalf("%d cases taken, %d refused; want %d and %d", len(seen), none, len(cs), callers-len(cs))
	}
	if n := e.count(`SELECT count(*) FROM customers WHERE assignee_id = 1`); n != len(cs) {
		t.Fatalf("%d cases stored as assigned, want %d", n, len(cs))
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.assign'`); n != len(cs) {
		t.Fatalf("%d audit entries, want %d", n, len(cs))
	}
}

func TestStatusSince(t *testing.T) {
	e := newEnv(t)
	e.staff()
	c := e.create(admin, seedInput)
	if !c.StatusSince.Equal(c.CreatedAt) || !e.get(c).StatusSince.Equal(c.CreatedAt) {
		t.Fatalf("new customer: status since %v, created %v", c.StatusSince, c.CreatedAt)
	}
	if _, err := e.db.ExecContext(e.ctx, `UPDATE customers SET status_since = status_since - interval '5 days' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	before := e.get(c).StatusSince
	t.Run("OK_EditKeepsIt", func(t *testing.T) {
		if _, err := e.svc.Update(e.ctx, officer, c.Reference, customer.DetailsUpdate{Description: customer.Some("edited")}, nil); err != nil {
			t.Fatal(err)
		}
		if got := e.get(c).StatusSince; !got.Equal(before) {
			t.Fatalf("an edit moved status_since %v → %v", before, got)
		}
	})
	t.Run("OK_StatusChangeResetsIt", func(t *testing.T) {
		got, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "REJECTED", Reason: ptr("no")}, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(got.StatusSince) > time.Minute || !e.get(c).StatusSince.Equal(got.StatusSince) {
			t.Fatalf("after reject: answered %v, stored %v", got.StatusSince, e.get(c).StatusSince)
		}
	})
}

func TestQueues(t *testing.T) {
	e := newEnv(t)
	e.staff()
	cs := e.pendingAged(4) // waiting 4, 3, 2, 1 hours
	e.svc = customer.NewService(e.db, customer.Options{VerifyBaseURL: verifyBase, ReviewSLA: 150 * time.Minute})
	if _, err := e.assign(officer, cs[3], customer.AssignMe); err != nil {
		t.Fatal(err)
	}
	if _, err := e.assign(officer, cs[0], customer.AssignMe); err != nil {
		t.Fatal(err)
	}
	list := func(f customer.Filter) *customer.Page {
		t.Helper()
		p, err := e.svc.List(e.ctx, officer, f)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	refs := func(p *customer.Page) []uuid.UUID {
		var out []uuid.UUID
		for _, c := range p.Content {
			out = append(out, c.Reference)
		}
		return out
	}
	p := list(customer.Filter{})
	if q := p.Queues; q.Mine != 2 || !q.MineExact || q.Overdue != 2 || !q.OverdueExact {
		t.Fatalf("queues %+v, want 2 mine and 2 overdue", q)
	}
	// The Mine count rides on the counters' query, after the filter's own
	// parameters, or on a search's walk (search.go): the same either way.
	for _, f := range []customer.Filter{{Risks: []customer.RiskScore{customer.RiskLow, customer.RiskHigh}},
		{Query: cs[0].Company.Name}, {Assignee: customer.AssigneeNone}} {
		if q := list(f).Queues; q.Mine != 2 || !q.MineExact {
			t.Fatalf("%+v: queues %+v, want 2 mine", f, q)
		}
	}
	if got := refs(list(customer.Filter{Overdue: true, Sort: customer.SortOldest})); fmt.Sprint(got) != fmt.Sprint([]uuid.UUID{cs[0].Reference, cs[1].Reference}) {
		t.Fatalf("overdue oldest first: %v", got)
	}
	mine := list(customer.Filter{Assignee: customer.AssignMe, Sort: customer.SortOldest})
	if got := refs(mine); fmt.Sprint(got) != fmt.Sprint([]uuid.UUID{cs[0].Reference, cs[3].Reference}) || mine.TotalElements != 2 {
		t.Fatalf("mine: %v (total %d)", got, mine.TotalElements)
	}
	if got := refs(list(customer.Filter{Assignee: customer.AssigneeNone, Sort: customer.SortOldest})); fmt.Sprint(got) != fmt.Sprint([]uuid.UUID{cs[1].Reference, cs[2].Reference}) {
		t.Fatalf("unassigned: %v", got)
	}
	if got := refs(list(customer.Filter{Assignee: "1", Overdue: true})); fmt.Sprint(got) != fmt.Sprint([]uuid.UUID{cs[0].Reference}) {
		t.Fatalf("Olivia's overdue: %v", got)
	}
	if !e.get(cs[0]).IsOverdue(150*time.Minute, time.Now()) || e.get(cs[3]).IsOverdue(150*time.Minute, time.Now()) {
		t.Fatal("IsOverdue: the 4-hour case is overdue, the 1-hour one is not")
	}
	_, err := e.svc.List(e.ctx, officer, customer.Filter{Assignee: "bob"})
	if f := fieldErrors(t, err); len(f["assignee"]) == 0 {
		t.Fatal(err)
	}
}

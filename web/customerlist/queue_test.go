package customerlist_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/webtest"
)

// age sets how many hours a customer has been in its status.
func age(t *testing.T, s *webtest.Site, c *customer.Customer, hours int) {
	t.Helper()
	if _, err := s.DB.Exec(`UPDATE customers SET status_since = now() - $2 * interval '1 hour' WHERE id = $1`, c.ID, hours); err != nil {
		t.Fatal(err)
	}
}

func tabText(r *webtest.Response, id string) string {
	return strings.Join(strings.Fields(r.Text("[data-testid="+id+"]")), " ")
}

func TestQueues(t *testing.T) {
	s := webtest.New(t)
	old := newCustomer(t, s, "Old Mill", "OM-1", "LOW", "Smith")        // 100 h: overdue
	mid := newCustomer(t, s, "Middle Row", "MR-2", "LOW", "Jones")      // 30 h
	fresh := newCustomer(t, s, "Fresh Start", "FS-3", "HIGH", "Okafor") // just now
	age(t, s, old, 100)
	age(t, s, mid, 30)
	ctx := context.Background()
	if _, err := s.Customers.Assign(ctx, s.Actor("officer"), mid.Reference, customer.AssignMe, nil); err != nil {
		t.Fatal(err)
	}
	officer := s.SignIn("officer")

	t.Run("Mine and Overdue tabs count their queues", func(t *testing.T) {
		r := officer.Get("/customers").Want(http.StatusOK)
		if got := tabText(r, "tab-mine"); got != "Mine 1" {
			t.Errorf("Mine tab %q", got)
		}
		if got := tabText(r, "tab-overdue"); got != "Overdue 1" {
			t.Errorf("Overdue tab %q", got)
		}
		mine, _ := r.Doc.Find("[data-testid=tab-mine]").Attr("href")
		wantNames(t, officer.Get(mine).Want(http.StatusOK), "Middle Row")
		overdue, _ := r.Doc.Find("[data-testid=tab-overdue]").Attr("href")
		ov := officer.Get(overdue).Want(http.StatusOK)
		wantNames(t, ov, "Old Mill")
		if ov.Doc.Find("[data-testid=tab-overdue][aria-current=page]").Length() != 1 {
			t.Error("the Overdue tab is not marked current on its queue")
		}
	})
	t.Run("the Pending queue lists the longest-waiting first, with ages and the overdue mark", func(t *testing.T) {
		r := officer.Get("/customers?status=PENDING").Want(http.StatusOK)
		wantNames(t, r, "Old Mill", "Middle Row", "Fresh Start")
		rows := r.Doc.Find("[data-testid=customer-row]")
		ages := []string{"4 d 4 h", "1 d 6 h", "< 1 min"}
		for i, want := range ages {
			if got := strings.TrimSpace(rows.Eq(i).Find("[data-testid=age]").Text()); got != want {
				t.Errorf("row %d age %q, want %q", i, got, want)
			}
		}
		if rows.Eq(0).Find("[data-testid=overdue]").Length() != 1 || rows.Eq(1).Find("[data-testid=overdue]").Length() != 0 {
			t.Error("only the 100-hour case is past the 72 h SLA")
		}
		if got := strings.TrimSpace(rows.Eq(1).Find("[data-testid=assignee]").Text()); got != "Olive Officer" {
			t.Errorf("assignee column %q", got)
		}
		if got := strings.TrimSpace(rows.Eq(0).Find("[data-testid=assignee]").Text()); got != "Unassigned" {
			t.Errorf("unassigned row reads %q", got)
		}
		// A verified customer shows no age: only pending cases wait.
		setStatus(t, s, "admin", fresh, customer.StatusVerified)
		all := officer.Get("/customers?status=VERIFIED").Want(http.StatusOK)
		if all.Doc.Find("[data-testid=age]").Length() != 0 {
			t.Error("a verified customer shows an age")
		}
	})
	t.Run("the assignee filter selects anyone, me, unassigned or a person", func(t *testing.T) {
		wantNames(t, officer.Get("/customers?status=PENDING&assignee=none").Want(http.StatusOK), "Old Mill")
		wantNames(t, officer.Get("/customers?status=PENDING&assignee=me").Want(http.StatusOK), "Middle Row")
		id := strconv.FormatInt(s.Users["officer"].ID, 10)
		r := officer.Get("/customers?assignee=" + id).Want(http.StatusOK)
		wantNames(t, r, "Middle Row")
		if v, _ := r.Doc.Find("[data-testid=assignee-filter] option[selected]").Attr("value"); v != id {
			t.Errorf("filter shows %q selected", v)
		}
		if r.Doc.Find("[data-testid=assignee-filter] option:contains('Vera Viewer')").Length() != 0 {
			t.Error("a viewer is offered as an assignee")
		}
		if p := officer.Get("/customers?assignee=bob").Want(http.StatusOK); !strings.Contains(p.Body, "Unknown assignee") {
			t.Error("a bad assignee is not said")
		}
	})
	t.Run("Next case works without JavaScript and then says none are left", func(t *testing.T) {
		r := officer.Get("/customers").Want(http.StatusOK)
		if r.Doc.Find("form[data-testid=next-case-form][method=post]").Length() != 1 {
			t.Fatal("no Next case form")
		}
		res := officer.PostForm("/cases/next", nil).Want(http.StatusSeeOther)
		if res.Location() != "/customers/"+old.Reference.String() {
			t.Fatalf("next case went to %q", res.Location())
		}
		got, _ := s.Customers.Get(ctx, s.Actor("viewer"), old.Reference)
		if got.Assignee == nil || got.Assignee.ID != s.Users["officer"].ID {
			t.Fatalf("assignee %+v", got.Assignee)
		}
		res = officer.PostForm("/cases/next", nil).Want(http.StatusSeeOther)
		if page := officer.Get(res.Location()).Want(http.StatusOK); !strings.Contains(page.Body, "No unassigned pending cases") {
			t.Error("no word that the queue is empty")
		}
	})
	t.Run("viewers get no Next case", func(t *testing.T) {
		v := s.SignIn("viewer")
		if v.Get("/customers").Want(http.StatusOK).Has("[data-testid=next-case]") {
			t.Error("viewer is offered Next case")
		}
		v.PostForm("/cases/next", nil).Want(http.StatusForbidden)
	})
}

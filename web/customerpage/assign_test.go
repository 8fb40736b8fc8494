package customerpage_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/webtest"
)

func TestCaseHeader(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	if _, err := s.DB.Exec(`UPDATE customers SET status_since = now() - interval '80 hours' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	path := "/customers/" + c.Reference.String()
	text := func(r *webtest.Response, id string) string {
		return strings.Join(strings.Fields(r.Text("[data-testid="+id+"]")), " ")
	}

	t.Run("the header shows assignee, age and the SLA deadline", func(t *testing.T) {
		r := s.SignIn("viewer").Get(path).Want(http.StatusOK)
		if got := text(r, "customer-assignee"); got != "Unassigned" {
			t.Errorf("assignee %q", got)
		}
		if got := text(r, "customer-age"); got != "3 d 8 h" {
			t.Errorf("age %q", got)
		}
		if !r.Has("[data-testid=customer-sla] time") || !r.Has("[data-testid=customer-sla] [data-testid=overdue]") {
			t.Errorf("SLA deadline %q: want a time and the overdue mark (80 h > 72 h)", text(r, "customer-sla"))
		}
	})
	t.Run("buttons per role", func(t *testing.T) {
		cases := map[string][3]bool{ // assign-me, unassign, assign-to
			"viewer":  {false, false, false},
			"officer": {true, false, false},
			"admin":   {true, false, true},
		}
		for who, want := range cases {
			r := s.SignIn(who).Get(path).Want(http.StatusOK)
			got := [3]bool{r.Has("[data-testid=assign-me]"), r.Has("[data-testid=unassign]"), r.Has("[data-testid=assign-to]")}
			if got != want {
				t.Errorf("%s sees %v, want %v", who, got, want)
			}
		}
		if opts := s.SignIn("admin").Get(path).Doc.Find("[data-testid=assign-to] option:contains('Vera Viewer')"); opts.Length() != 0 {
			t.Error("a viewer is offered in Assign to…")
		}
	})
	officer := s.SignIn("officer")
	t.Run("Assign to me works without JavaScript", func(t *testing.T) {
		r := officer.PostForm(path+"/assignee", url.Values{"assignee": {"me"}}).Want(http.StatusSeeOther)
		if r.Location() != path {
			t.Fatalf("redirect %q", r.Location())
		}
		p := officer.Get(path).Want(http.StatusOK)
		if got := text(p, "customer-assignee"); got != "Olive Officer" {
			t.Errorf("assignee %q", got)
		}
		if p.Has("[data-testid=assign-me]") || !p.Has("[data-testid=unassign]") {
			t.Error("the owner should see Unassign, not Assign to me")
		}
		if !strings.Contains(p.Body, "Assignee changed") {
			t.Error("the history preview does not show the assignment")
		}
		h := officer.Get(path + "/history").Want(http.StatusOK)
		if row := h.Doc.Find("[data-testid=history-change]").First(); !strings.Contains(row.Text(), "Assignee") || !strings.Contains(row.Text(), "Olive Officer <officer@verity.test>") {
			t.Errorf("history change reads %q", strings.Join(strings.Fields(row.Text()), " "))
		}
	})
	t.Run("another officer may not take it", func(t *testing.T) {
		o2 := s.SignIn("officer2")
		if o2.Get(path).Want(http.StatusOK).Has("[data-testid=assign-me]") {
			t.Error("officer2 is offered someone else's case")
		}
		o2.PostForm(path+"/assignee", url.Values{"assignee": {"me"}}).Want(http.StatusForbidden)
	})
	t.Run("an admin assigns to someone else", func(t *testing.T) {
		admin := s.SignIn("admin")
		id := strconv.FormatInt(s.Users["officer2"].ID, 10)
		admin.PostForm(path+"/assignee", url.Values{"assignee": {id}}).Want(http.StatusSeeOther)
		got, _ := s.Customers.Get(context.Background(), s.Actor("viewer"), c.Reference)
		if got.Assignee == nil || got.Assignee.ID != s.Users["officer2"].ID {
			t.Fatalf("assignee %+v", got.Assignee)
		}
		// A bad choice is said on the page, not a 500.
		r := admin.PostForm(path+"/assignee", url.Values{"assignee": {strconv.FormatInt(s.Users["viewer"].ID, 10)}}).Want(http.StatusSeeOther)
		if p := admin.Get(r.Location()); !strings.Contains(p.Body, "must be an active officer or admin") {
			t.Error("the refusal is not shown")
		}
	})
	t.Run("Unassign", func(t *testing.T) {
		s.SignIn("officer2").PostForm(path+"/assignee", url.Values{"assignee": {""}}).Want(http.StatusSeeOther)
		got, _ := s.Customers.Get(context.Background(), s.Actor("viewer"), c.Reference)
		if got.Assignee != nil {
			t.Fatalf("still assigned to %+v", got.Assignee)
		}
	})
	t.Run("a verified customer has no SLA deadline", func(t *testing.T) {
		reason := "ok"
		if _, err := s.Customers.SetStatus(context.Background(), s.Actor("admin"), c.Reference, customer.StatusChange{Status: "VERIFIED", Reason: &reason}, nil, true); err != nil {
			t.Fatal(err)
		}
		r := officer.Get(path).Want(http.StatusOK)
		if r.Has("[data-testid=customer-sla]") || text(r, "customer-age") != "< 1 min" {
			t.Errorf("sla shown %v, age %q", r.Has("[data-testid=customer-sla]"), text(r, "customer-age"))
		}
	})
}

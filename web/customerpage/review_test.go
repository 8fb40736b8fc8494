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

func TestReviewBanner(t *testing.T) {
	s := webtest.New(t)
	ctx := context.Background()
	c := s.NewCustomer("officer", "")
	if _, err := s.Customers.SetStatus(ctx, s.Actor("admin2"), c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false); err != nil {
		t.Fatal(err)
	}
	path := "/customers/" + c.Reference.String()
	t.Run("no banner while nothing changed", func(t *testing.T) {
		if r := s.SignIn("admin").Get(path).Want(http.StatusOK); r.Has("[data-testid=review-banner]") {
			t.Fatal("banner on a settled customer")
		}
	})
	if _, err := s.Customers.Update(ctx, s.Actor("admin"), c.Reference,
		customer.DetailsUpdate{Name: customer.Optional[string]{Set: true, Value: "Bond Group"}}, nil); err != nil {
		t.Fatal(err)
	}
	t.Run("banner lists the change; confirm per role", func(t *testing.T) {
		cases := map[string][2]bool{ // confirm button, four-eyes note
			"viewer":  {false, false},
			"officer": {false, false},
			"admin":   {false, true}, // made the change
			"admin2":  {true, false},
		}
		for who, want := range cases {
			r := s.SignIn(who).Get(path).Want(http.StatusOK)
			if got := strings.Join(strings.Fields(r.Text("[data-testid=review-change]")), " "); got != "Company name: Bond Holdings → Bond Group" {
				t.Errorf("%s: change %q", who, got)
			}
			got := [2]bool{r.Has("[data-testid=action-review-confirm]"), r.Has("[data-testid=review-four-eyes]")}
			if got != want {
				t.Errorf("%s sees %v, want %v", who, got, want)
			}
		}
		s.SignIn("officer").Get(path + "/review").Want(http.StatusForbidden)
	})
	admin2 := s.SignIn("admin2")
	t.Run("confirm works without JavaScript and needs a reason", func(t *testing.T) {
		r := admin2.Get(path + "/review").Want(http.StatusOK)
		version := r.Doc.Find("[data-testid=review-form] input[name=version]").AttrOr("value", "")
		r = admin2.PostForm(path+"/review", url.Values{"version": {version}, "reason": {""}}).Want(http.StatusUnprocessableEntity)
		if !r.Has("[data-testid=review-form]") {
			t.Fatal("the form must come back with the error")
		}
		r = admin2.PostForm(path+"/review", url.Values{"version": {version}, "reason": {"Registry extract checked"}}).Want(http.StatusSeeOther)
		if r.Location() != path {
			t.Fatalf("redirect %q", r.Location())
		}
		if r := admin2.Get(path).Want(http.StatusOK); r.Has("[data-testid=review-banner]") {
			t.Fatal("banner still there")
		}
		n, _ := strconv.Atoi(version)
		got, _ := s.Customers.Get(ctx, s.Actor("viewer"), c.Reference)
		if got.ReviewRequired || got.Version != n+1 {
			t.Fatalf("flag %v version %d", got.ReviewRequired, got.Version)
		}
	})
	t.Run("nothing to confirm is a conflict on the form", func(t *testing.T) {
		got, _ := s.Customers.Get(ctx, s.Actor("viewer"), c.Reference)
		admin2.PostForm(path+"/review", url.Values{"version": {strconv.Itoa(got.Version)}, "reason": {"again"}}).Want(http.StatusConflict)
	})
}

// TestReviewConfirmHistory: the confirmation reads as words in the history,
// its reason as the note of that change.
func TestReviewConfirmHistory(t *testing.T) {
	s := webtest.New(t)
	ctx := context.Background()
	c := s.NewCustomer("officer", "")
	if _, err := s.Customers.SetStatus(ctx, s.Actor("admin2"), c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Customers.Update(ctx, s.Actor("officer"), c.Reference,
		customer.DetailsUpdate{Name: customer.Optional[string]{Set: true, Value: "Bond Group"}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Customers.ConfirmReview(ctx, s.Actor("admin"), c.Reference, "Registry extract checked", nil, true); err != nil {
		t.Fatal(err)
	}
	r := s.SignIn("viewer").Get("/customers/" + c.Reference.String() + "/history").Want(http.StatusOK)
	body := strings.Join(strings.Fields(r.Text("main")), " ")
	for _, want := range []string{"Verification confirmed", "Review required", "Registry extract checked"} {
		if !strings.Contains(body, want) {
			t.Errorf("history lacks %q: %s", want, body)
		}
	}
	if strings.Contains(body, "customer.review_confirm") || strings.Contains(body, "VERIFIED → VERIFIED") {
		t.Errorf("history shows raw words: %s", body)
	}
}

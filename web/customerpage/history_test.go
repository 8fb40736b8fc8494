package customerpage_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/webtest"
)

func associate(first, last, email, extra string) customer.AssociateInput {
	in := customer.AssociateInput{}
	in.Person.FirstName, in.Person.LastName = &first, &last
	in.Details.ContactInfo.EmailAddress = &email
	if extra != "" {
		in.Title = &extra
	}
	return in
}

// TestHistoryGroupsAssociatesByPerson: an associates change reads as one line
// per person, and the raw paths are only behind the "Details" toggle.
func TestHistoryGroupsAssociatesByPerson(t *testing.T) {
	s := webtest.New(t)
	ctx := context.Background()
	c := s.NewCustomer("officer", strings.Replace(noAssociates, `"address"`, `"description": "Before", "address"`, 1))
	list := []customer.AssociateInput{associate("Maria", "Costa", "maria@example.com", ""), associate("Elias", "Fischer", "a@example.com", "")}
	c, err := s.Customers.ReplaceAssociates(ctx, s.Actor("officer"), c.Reference, customer.AssociatesInput{Associates: &list}, nil)
	if err != nil {
		t.Fatal(err)
	}
	elias := associate("Elias", "Fischer", "b@example.com", "")
	ref := c.Company.Associates[1].Person.Reference.String()
	elias.Person.Reference = &ref
	grace := associate("Grace", "Hopper", "grace@example.com", "Director")
	yes := true
	grace.Controls = customer.ControlsInput{HasOwnership: &yes, HasControl: &yes}
	list = []customer.AssociateInput{elias, grace}
	if c, err = s.Customers.ReplaceAssociates(ctx, s.Actor("officer2"), c.Reference, customer.AssociatesInput{Associates: &list}, nil); err != nil {
		t.Fatal(err)
	}
	if c, err = s.Customers.Update(ctx, s.Actor("officer"), c.Reference, customer.DetailsUpdate{Description: customer.Some("After")}, nil); err != nil {
		t.Fatal(err)
	}

	r := s.SignIn("viewer").Get(path(c, "/history")).Want(http.StatusOK)
	entry := r.Doc.Find("[data-testid=history-entry][data-action='customer.associates']").First()
	var lines []string
	entry.Find("[data-testid=history-person]").Each(func(_ int, li *goquery.Selection) { lines = append(lines, li.Text()) })
	want := []string{"Elias Fischer: e-mail a@example.com → b@example.com", "Elias Fischer: position in the list 2 → 1",
		"Grace Hopper added: Director, owner, control", "Maria Costa removed"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant (in list order, the removed last):\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	t.Run("raw paths only behind the details toggle", func(t *testing.T) {
		raw := entry.Find("details[data-testid=history-raw]")
		if raw.Length() != 1 || raw.Find("summary").Length() != 1 || raw.Find("[data-testid=history-raw-change]").Length() < 20 {
			t.Fatalf("toggle: %d, %d raw rows", raw.Length(), raw.Find("[data-testid=history-raw-change]").Length())
		}
		if _, open := raw.Attr("open"); open {
			t.Error("the toggle starts open")
		}
		if !strings.Contains(raw.Text(), "company.associates["+ref+"].details.contactInfo.emailAddress") {
			t.Errorf("raw paths: %q", raw.Text())
		}
		list := r.Doc.Find("[data-testid=history-list]").Clone()
		list.Find("[data-testid=history-raw]").Remove()
		if txt := list.Text(); strings.Contains(txt, "company.") || strings.Contains(txt, "associates[") || strings.Contains(txt, ref) {
			t.Errorf("raw paths outside the toggle: %q", txt)
		}
	})

	t.Run("details changes are labelled, without their paths", func(t *testing.T) {
		upd := r.Doc.Find("[data-testid=history-entry][data-action='customer.update']").First()
		if got := changesOf(upd); got["Description"] != "Before → After" || len(got) != 1 {
			t.Errorf("changes: %v", got)
		}
	})

	t.Run("the preview says who was added and removed", func(t *testing.T) {
		p := s.SignIn("viewer").Get(path(c, "")).Want(http.StatusOK).Doc.Find("[data-testid=history-preview]")
		txt := strings.Join(strings.Fields(p.Text()), " ")
		if !strings.Contains(txt, "Elias Fischer changed; Grace Hopper added; Maria Costa removed") || strings.Contains(txt, "company.") {
			t.Errorf("preview: %q", txt)
		}
	})

	t.Run("the preview counts a creation's associates, not their fields", func(t *testing.T) {
		seeded := s.NewCustomer("officer", "")
		p := s.SignIn("viewer").Get(path(seeded, "")).Want(http.StatusOK).Doc.Find("[data-testid=history-preview] li").First()
		txt := strings.Join(strings.Fields(p.Text()), " ")
		if !strings.HasSuffix(txt, " fields changed, 1 associate") || strings.Contains(txt, "company.") {
			t.Errorf("preview: %q", txt)
		}
	})
}

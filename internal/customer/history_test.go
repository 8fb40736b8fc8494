package customer_test

import (
	"testing"

	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
)

func TestAssociateOfPath(t *testing.T) {
	cases := []struct{ path, ref, field string }{
		{"company.associates[911685b0-0000-4000-8000-000000000000].person.firstName", "911685b0-0000-4000-8000-000000000000", "person.firstName"},
		{"company.associates[abc].position", "abc", "position"},
		{"associates[abc].title", "abc", "title"},
		{"company.associates[abc]", "abc", ""},
		{"company.name", "", ""},
		{"company.associates", "", ""},
		{"company.associates[]", "", ""},
	}
	for _, tc := range cases {
		ref, field, ok := customer.AssociateOfPath(tc.path)
		if ok != (tc.ref != "") || ref != tc.ref || field != tc.field {
			t.Errorf("%s: got %q %q %v", tc.path, ref, field, ok)
		}
	}
}

// TestSplitChanges reads a real associates entry back by person: who was
// removed, who added, who moved and what changed about them.
func TestSplitChanges(t *testing.T) {
	e := newEnv(t)
	c := e.create(admin2, `{"riskScore": "LOW", "company": {"name": "Two Ltd", "taxResidenceCountryCode": "GB",
	  "registrationNumber": "123", "address": {"addressLine1": "1 Way", "city": "London", "postalCode": "E1", "countryCode": "GB"},
	  "associates": [`+person("Maria", "Costa", "maria@example.com", "")+`, `+person("Elias", "Fischer", "a@example.com", "")+`]}}`)
	c, err := e.replace(c, `{"associates": [`+person("Elias", "Fischer", "b@example.com", `, "reference": "`+c.Company.Associates[1].Person.Reference.String()+`"`)+`,
	  {"person": {"firstName": "Grace", "lastName": "Hopper"}, "title": "Director", "controls": {"hasOwnership": true, "hasControl": true}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := e.svc.History(e.ctx, viewer, c.Reference, 0, 1)
	if err != nil || len(entries) != 1 || entries[0].Action != audit.ActionCustomerAssociates {
		t.Fatalf("history: %v %+v", err, entries)
	}
	own, people := customer.SplitChanges(c, entries[0].Changes)
	if len(own) != 0 {
		t.Errorf("company changes in an associates entry: %+v", own)
	}
	got := map[string]customer.PersonChange{}
	for _, p := range people {
		got[p.Name] = p
	}
	if len(people) != 3 {
		t.Fatalf("want 3 people, got %+v", people)
	}
	if m := got["Maria Costa"]; !m.Removed || m.Added || m.Value("person.firstName") != "Maria" {
		t.Errorf("Maria: %+v", m)
	}
	if g := got["Grace Hopper"]; !g.Added || g.Removed || g.Value("title") != "Director" || g.Value("controls.hasControl") != true {
		t.Errorf("Grace: %+v", g)
	}
	elias := got["Elias Fischer"]
	if elias.Added || elias.Removed || elias.Reference != c.Company.Associates[0].Person.Reference.String() {
		t.Fatalf("Elias: %+v", elias)
	}
	changed := map[string]audit.Change{}
	for _, ch := range elias.Changes {
		changed[ch.Path] = ch
	}
	if ch := changed["position"]; ch.Old != 1.0 || ch.New != 0.0 {
		t.Errorf("position: %+v", ch)
	}
	if ch := changed["details.contactInfo.emailAddress"]; ch.Old != "a@example.com" || ch.New != "b@example.com" || len(changed) != 2 {
		t.Errorf("Elias's changes: %+v", elias.Changes)
	}
}

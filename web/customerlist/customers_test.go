package customerlist_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/web/webtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// newCustomer creates an approvable customer with the given name, registration
// number and risk, whose one associate is called Sam <lastName>.
func newCustomer(t *testing.T, s *webtest.Site, name, reg, risk, lastName string) *customer.Customer {
	t.Helper()
	return s.NewCustomer("officer", fmt.Sprintf(`{
  "riskScore": %q,
  "company": {
    "name": %q, "taxResidenceCountryCode": "GB", "registrationNumber": %q,
    "address": {"addressLine1": "1 High St", "city": "London", "postalCode": "SW1A 1AA", "countryCode": "GB"},
    "associates": [{
      "person": {"firstName": "Sam", "lastName": %q, "dateOfBirth": "1980-05-17"},
      "details": {"documentInfo": {"number": "P123456", "type": "PASSPORT", "issuingCountryCode": "GB"}},
      "riskScore": "LOW",
      "controls": {"hasOwnership": true, "hasControl": true, "isSigner": true}
    }]
  }
}`, risk, name, reg, lastName))
}

// setStatus moves a customer as the named user, giving a reason.
func setStatus(t *testing.T, s *webtest.Site, by string, c *customer.Customer, to customer.Status) {
	t.Helper()
	cur, err := s.Customers.Get(context.Background(), s.Actor(by), c.Reference)
	if err != nil {
		t.Fatal(err)
	}
	reason := "checked by test"
	if _, err := s.Customers.SetStatus(context.Background(), s.Actor(by), c.Reference,
		customer.StatusChange{Status: string(to), Reason: &reason}, customer.Versions{cur.Version}, true); err != nil {
		t.Fatalf("set status %s: %v", to, err)
	}
}

// names are the company names of the listed rows, in order.
func names(r *webtest.Response) []string {
	var out []string
	r.Doc.Find("[data-testid=customer-row] td:first-child a").Each(func(_ int, a *goquery.Selection) {
		out = append(out, strings.TrimSpace(a.Text()))
	})
	return out
}

// tabs maps each queue tab's label to its text ("Pending 2") and link.
type tab struct{ text, href string }

func tabsOf(r *webtest.Response) (map[string]tab, string) {
	out := map[string]tab{}
	active := ""
	r.Doc.Find("#customer-results nav.tabs a.tab").Each(func(_ int, a *goquery.Selection) {
		text := strings.Join(strings.Fields(a.Text()), " ")
		label := strings.Fields(text)[0]
		out[label] = tab{text, a.AttrOr("href", "")}
		if a.AttrOr("aria-current", "") == "page" {
			active = label
		}
	})
	return out, active
}

func wantNames(t *testing.T, r *webtest.Response, want ...string) {
	t.Helper()
	got := names(r)
	if !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
}

func query(t *testing.T, href string) url.Values {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil {
		t.Fatalf("link %q: %v", href, err)
	}
	if u.Path != "/customers" {
		t.Fatalf("link %q leaves the list", href)
	}
	return u.Query()
}

func TestList(t *testing.T) {
	s := webtest.New(t)
	acme := newCustomer(t, s, "Acme Trading", "AC-100", "LOW", "Smith")
	birch := newCustomer(t, s, "Birch Logistics", "BL-200", "MEDIUM", "Jones")
	cedar := newCustomer(t, s, "Cedar Foods", "CF-300", "HIGH", "Okafor")
	delta := newCustomer(t, s, "Delta Mining", "DM-400", "HIGH", "Nguyen")
	echo := newCustomer(t, s, "Echo Partners", "EP-500", "MEDIUM", "Jones")
	// Four-eyes: the officer created them, so an admin may approve.
	setStatus(t, s, "admin", birch, customer.StatusVerified)
	setStatus(t, s, "admin2", echo, customer.StatusVerified)
	setStatus(t, s, "admin", cedar, customer.StatusRejected)
	_ = acme

	officer := s.SignIn("officer")

	t.Run("queue tabs count every status and All is current by default", func(t *testing.T) {
		r := officer.Get("/customers").Want(http.StatusOK)
		tabs, active := tabsOf(r)
		want := map[string]string{"Pending": "Pending 2", "Verified": "Verified 2", "Rejected": "Rejected 1", "All": "All 5"}
		for label, text := range want {
			if tabs[label].text != text {
				t.Errorf("tab %s reads %q, want %q", label, tabs[label].text, text)
			}
		}
		if active != "All" {
			t.Errorf("current tab %q", active)
		}
		if len(names(r)) != 5 {
			t.Errorf("rows %q", names(r))
		}
		if r.Doc.Find("h1").Length() != 1 || r.Text("h1") != "Customers" {
			t.Errorf("h1 %q", r.Text("h1"))
		}
	})

	t.Run("a tab shows its queue and is marked current", func(t *testing.T) {
		r := officer.Get("/customers?status=VERIFIED").Want(http.StatusOK)
		if got := names(r); len(got) != 2 || !slices.Contains(got, "Birch Logistics") || !slices.Contains(got, "Echo Partners") {
			t.Fatalf("verified rows %q", got)
		}
		if _, active := tabsOf(r); active != "Verified" {
			t.Errorf("current tab %q", active)
		}
		// The search form keeps the queue, so typing stays inside it.
		if v, _ := r.Doc.Find(`form[data-testid=customer-search] input[name=status]`).Attr("value"); v != "VERIFIED" {
			t.Errorf("search form status %q", v)
		}
		wantNames(t, officer.Get("/customers?status=rejected").Want(http.StatusOK), "Cedar Foods")
	})

	t.Run("tab links keep the search, risk and sort and go back to the first page", func(t *testing.T) {
		r := officer.Get("/customers?q=a&risk=HIGH&sort=name&page=1").Want(http.StatusOK)
		tabs, _ := tabsOf(r)
		for label, status := range map[string]string{"Pending": "PENDING", "Verified": "VERIFIED", "Rejected": "REJECTED", "All": ""} {
			q := query(t, tabs[label].href)
			if q.Get("q") != "a" || q.Get("risk") != "HIGH" || q.Get("sort") != "name" || q.Get("status") != status || q.Has("page") {
				t.Errorf("tab %s links to %q", label, tabs[label].href)
			}
		}
	})

	t.Run("counts follow the risk filter", func(t *testing.T) {
		r := officer.Get("/customers?risk=HIGH").Want(http.StatusOK)
		tabs, _ := tabsOf(r)
		for label, text := range map[string]string{"Pending": "Pending 1", "Verified": "Verified 0", "Rejected": "Rejected 1", "All": "All 2"} {
			if tabs[label].text != text {
				t.Errorf("tab %s reads %q, want %q", label, tabs[label].text, text)
			}
		}
		if got := names(r); len(got) != 2 || !slices.Contains(got, "Cedar Foods") || !slices.Contains(got, "Delta Mining") {
			t.Errorf("high-risk rows %q", got)
		}
		if v, _ := r.Doc.Find(`select[name=risk] option[selected]`).Attr("value"); v != "HIGH" {
			t.Errorf("risk select shows %q", v)
		}
		wantNames(t, officer.Get("/customers?risk=low").Want(http.StatusOK), "Acme Trading")
	})

	t.Run("counts follow the search", func(t *testing.T) {
		r := officer.Get("/customers?q=jones").Want(http.StatusOK)
		tabs, _ := tabsOf(r)
		for label, text := range map[string]string{"Pending": "Pending 0", "Verified": "Verified 2", "Rejected": "Rejected 0", "All": "All 2"} {
			if tabs[label].text != text {
				t.Errorf("tab %s reads %q, want %q", label, tabs[label].text, text)
			}
		}
	})

	t.Run("search by company name, registration number, reference and associate name", func(t *testing.T) {
		cases := map[string][]string{
			"birch":                  {"Birch Logistics"},
			"MINING":                 {"Delta Mining"},
			"CF-300":                 {"Cedar Foods"},
			delta.Reference.String(): {"Delta Mining"},
			"Nguyen":                 {"Delta Mining"},
			"Sam Okafor":             {"Cedar Foods"},
		}
		for q, want := range cases {
			r := officer.Get("/customers?q=" + url.QueryEscape(q)).Want(http.StatusOK)
			wantNames(t, r, want...)
			if v, _ := r.Doc.Find(`input[name=q]`).Attr("value"); v != q {
				t.Errorf("search box shows %q after searching %q", v, q)
			}
		}
	})

	t.Run("sort by name is A to Z; the default is most recently updated first", func(t *testing.T) {
		wantNames(t, officer.Get("/customers?sort=name").Want(http.StatusOK),
			"Acme Trading", "Birch Logistics", "Cedar Foods", "Delta Mining", "Echo Partners")
		// Cedar was changed last, then Echo, then Birch; Delta and Acme only created.
		wantNames(t, officer.Get("/customers").Want(http.StatusOK),
			"Cedar Foods", "Echo Partners", "Birch Logistics", "Delta Mining", "Acme Trading")
		r := officer.Get("/customers?sort=name").Want(http.StatusOK)
		if v, _ := r.Doc.Find(`select[name=sort] option[selected]`).Attr("value"); v != "name" {
			t.Errorf("sort select shows %q", v)
		}
	})

	t.Run("a row shows name linked to the customer, registration, country, badges, associates and update time", func(t *testing.T) {
		r := officer.Get("/customers?q=CF-300").Want(http.StatusOK)
		row := r.Doc.Find("[data-testid=customer-row]")
		if row.Length() != 1 {
			t.Fatalf("%d rows", row.Length())
		}
		if ref, _ := row.Attr("data-reference"); ref != cedar.Reference.String() {
			t.Errorf("row reference %q", ref)
		}
		if href, _ := row.Find("a").First().Attr("href"); href != "/customers/"+cedar.Reference.String() {
			t.Errorf("name links to %q", href)
		}
		cells := row.Find("td")
		text := func(i int) string { return strings.Join(strings.Fields(cells.Eq(i).Text()), " ") }
		if text(1) != "CF-300" || text(2) != "GB" || text(5) != "1" {
			t.Errorf("cells: registration %q, country %q, associates %q", text(1), text(2), text(5))
		}
		if v, _ := row.Find("[data-status]").Attr("data-status"); v != "REJECTED" || !strings.Contains(text(3), "Rejected") {
			t.Errorf("status badge %q / %q", v, text(3))
		}
		if v, _ := row.Find("[data-risk]").Attr("data-risk"); v != "HIGH" || !strings.Contains(text(4), "High risk") {
			t.Errorf("risk badge %q / %q", v, text(4))
		}
		if row.Find("td time[datetime]").Length() != 1 {
			t.Errorf("no update time")
		}
		if r.Doc.Find("[data-testid=customer-table] caption").Length() != 1 {
			t.Errorf("table has no caption")
		}
	})

	t.Run("the search works without JavaScript: a GET form with a submit button", func(t *testing.T) {
		r := officer.Get("/customers").Want(http.StatusOK)
		form := r.Doc.Find("form[data-testid=customer-search]")
		if form.AttrOr("method", "") != "get" || form.AttrOr("action", "") != "/customers" {
			t.Fatalf("search form %s %s", form.AttrOr("method", ""), form.AttrOr("action", ""))
		}
		for _, sel := range []string{"input[name=q]", "select[name=risk]", "select[name=sort]", "button[type=submit]"} {
			if form.Find(sel).Length() != 1 {
				t.Errorf("search form lacks %s", sel)
			}
		}
		// Labelled and hinted.
		if r.Text(`label[for=q]`) != "Search" {
			t.Errorf("search label %q", r.Text(`label[for=q]`))
		}
		if !strings.Contains(r.Text("form[data-testid=customer-search]"), "Company name, registration number, reference or associate name") {
			t.Errorf("no search hint")
		}
		// And with JavaScript it asks for the results as the user types, keeping the URL.
		if form.AttrOr("hx-get", "") != "/customers" || form.AttrOr("hx-target", "") != "#customer-results" ||
			form.AttrOr("hx-push-url", "") != "true" || !strings.Contains(form.AttrOr("hx-trigger", ""), "delay:300ms") {
			t.Errorf("htmx attributes: get %q target %q push %q trigger %q", form.AttrOr("hx-get", ""),
				form.AttrOr("hx-target", ""), form.AttrOr("hx-push-url", ""), form.AttrOr("hx-trigger", ""))
		}
	})

	t.Run("htmx gets the results region only; a full load gets the whole page", func(t *testing.T) {
		r := officer.HTMX(http.MethodGet, "/customers", url.Values{"q": {"birch"}}).Want(http.StatusOK)
		if strings.Contains(r.Body, "<html") || r.Has("h1") || r.Has("form[data-testid=customer-search]") {
			t.Fatalf("fragment carries the page around it:\n%s", r.Body)
		}
		if !r.Has("#customer-results") || !r.Has("#customer-results nav.tabs") {
			t.Fatalf("fragment lacks the results region or its tabs:\n%s", r.Body)
		}
		wantNames(t, r, "Birch Logistics")
		full := officer.Get("/customers?q=birch").Want(http.StatusOK)
		if !strings.Contains(full.Body, "<html") || !full.Has("#customer-results") {
			t.Fatalf("full page lacks the shell or the results")
		}
		wantNames(t, full, "Birch Logistics")
		// A boosted navigation wants the whole page too.
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/customers?q=birch", nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Boosted", "true")
		if b := officer.Do(req).Want(http.StatusOK); !strings.Contains(b.Body, "<html") {
			t.Errorf("boosted request got a fragment")
		}
	})

	t.Run("no match says what to do and offers to clear the search", func(t *testing.T) {
		r := officer.Get("/customers?q=zzzz&sort=name").Want(http.StatusOK)
		if r.Has("[data-testid=customer-table]") {
			t.Fatalf("table shown for no results")
		}
		empty := r.Text("[data-testid=empty-state]")
		if !strings.Contains(empty, "No customers match “zzzz”") || !strings.Contains(empty, "Check the spelling") ||
			!strings.Contains(empty, "registration number") {
			t.Errorf("empty state %q", empty)
		}
		href, _ := r.Doc.Find("[data-testid=clear-search]").Attr("href")
		if q := query(t, href); q.Has("q") || q.Has("status") || q.Has("risk") {
			t.Errorf("clear link %q", href)
		}
		// A filter with nothing in it is not "no customers yet" either.
		r = officer.Get("/customers?status=REJECTED&risk=LOW").Want(http.StatusOK)
		if e := r.Text("[data-testid=empty-state]"); strings.Contains(e, "yet") || !r.Has("[data-testid=clear-search]") {
			t.Errorf("empty filtered queue says %q", e)
		}
	})

	t.Run("New customer button only for roles that may create", func(t *testing.T) {
		for user, want := range map[string]bool{"viewer": false, "officer": true, "admin": true} {
			r := s.SignIn(user).Get("/customers").Want(http.StatusOK)
			if got := r.Has("[data-testid=new-customer]"); got != want {
				t.Errorf("%s sees New customer: %v", user, got)
			}
			if href, _ := r.Doc.Find("[data-testid=new-customer]").Attr("href"); want && href != "/customers/new" {
				t.Errorf("New customer links to %q", href)
			}
		}
	})

	t.Run("bad parameters are said on the page and fall back, never a server error", func(t *testing.T) {
		cases := []struct {
			query, says string
			rows        int
		}{
			{"page=-1", "does not exist", 5},
			{"page=abc", "does not exist", 5},
			{"page=99999999", "does not exist", 5},
			{"size=1000", "", 5},
			{"status=ARCHIVED", "Unknown status", 5},
			{"risk=EXTREME", "Unknown risk", 5},
			{"sort=colour", "Unknown sort", 5},
			{"q=" + strings.Repeat("a", 500), "too long", 0},
			{"q=" + url.QueryEscape(strings.Repeat("ä", 150)), "", 0},
			{"q=" + url.QueryEscape(strings.Repeat("名", 300)), "too long", 0},
			{"q=%FF%FEacme", "", 1}, // not UTF-8: the valid part is searched
			{"q=ac%00me", "", 0},
			{"q=%25_%5C", "", 0}, // LIKE wildcards are searched for literally
			{"q=" + url.QueryEscape("'; DROP TABLE customers; --"), "", 0},
		}
		for _, tc := range cases {
			r := officer.Get("/customers?" + tc.query)
			if r.Status != http.StatusOK {
				t.Errorf("%.60s: status %d", tc.query, r.Status)
				continue
			}
			if got := len(names(r)); got != tc.rows {
				t.Errorf("%.60s: %d rows, want %d", tc.query, got, tc.rows)
			}
			if tc.says != "" && !strings.Contains(r.Text("#customer-results [role=alert]"), tc.says) {
				t.Errorf("%.60s: problem %q, want %q", tc.query, r.Text("#customer-results [role=alert]"), tc.says)
			}
		}
	})

	t.Run("a page past the end says so and links back to the first page", func(t *testing.T) {
		r := officer.Get("/customers?page=7&sort=name").Want(http.StatusOK)
		e := r.Text("[data-testid=empty-state]")
		if strings.Contains(e, "yet") || strings.Contains(e, "No customers match") {
			t.Errorf("past the end says %q", e)
		}
		href := r.Doc.Find("[data-testid=empty-state] a").AttrOr("href", "")
		if q := query(t, href); q.Has("page") || q.Get("sort") != "name" {
			t.Errorf("link back %q", href)
		}
	})
}

func TestPagination(t *testing.T) {
	s := webtest.New(t)
	for i := range 45 {
		risk := "LOW"
		if i%3 == 0 {
			risk = "HIGH"
		}
		newCustomer(t, s, fmt.Sprintf("Company %02d", i+1), fmt.Sprintf("REG-%02d", i+1), risk, "Lee")
	}
	c := s.SignIn("viewer")
	links := func(r *webtest.Response) (prev, next string) {
		p := r.Doc.Find("[data-testid=pagination]")
		return p.Find("a[rel=prev]").AttrOr("href", ""), p.Find("a[rel=next]").AttrOr("href", "")
	}

	t.Run("pages of 20, 1-based in the URL, with previous and next links keeping the view", func(t *testing.T) {
		r := c.Get("/customers?sort=name").Want(http.StatusOK)
		if got := names(r); len(got) != 20 || got[0] != "Company 01" || got[19] != "Company 20" {
			t.Fatalf("first page %q", got)
		}
		if txt := r.Text("[data-testid=pagination] p"); txt != "Showing 1–20 of 45" {
			t.Errorf("range %q", txt)
		}
		prev, next := links(r)
		if prev != "" {
			t.Errorf("previous link on the first page: %q", prev)
		}
		if q := query(t, next); q.Get("page") != "2" || q.Get("sort") != "name" {
			t.Fatalf("next link %q", next)
		}

		r = c.Get(next).Want(http.StatusOK)
		if got := names(r); len(got) != 20 || got[0] != "Company 21" {
			t.Fatalf("second page %q", got)
		}
		if txt := r.Text("[data-testid=pagination] p"); txt != "Showing 21–40 of 45" {
			t.Errorf("range %q", txt)
		}
		prev, next = links(r)
		if q := query(t, prev); q.Has("page") || q.Get("sort") != "name" {
			t.Errorf("previous link %q (the first page has no page parameter)", prev)
		}
		if q := query(t, next); q.Get("page") != "3" {
			t.Fatalf("next link %q", next)
		}

		r = c.Get(next).Want(http.StatusOK)
		wantNames(t, r, "Company 41", "Company 42", "Company 43", "Company 44", "Company 45")
		if _, next = links(r); next != "" {
			t.Errorf("next link on the last page: %q", next)
		}
		if txt := r.Text("[data-testid=pagination] p"); txt != "Showing 41–45 of 45" {
			t.Errorf("range %q", txt)
		}
	})

	t.Run("pages follow the filter and the search", func(t *testing.T) {
		r := c.Get("/customers?risk=HIGH&sort=name").Want(http.StatusOK)
		if txt := r.Text("[data-testid=pagination] p"); txt != "Showing 1–15 of 15" {
			t.Errorf("high risk range %q", txt)
		}
		if _, next := links(r); next != "" {
			t.Errorf("next link for 15 results: %q", next)
		}
		r = c.Get("/customers?q=company&sort=name&page=3").Want(http.StatusOK)
		if got := names(r); len(got) != 5 {
			t.Errorf("third page of the search %q", got)
		}
		prev, _ := links(r)
		if q := query(t, prev); q.Get("q") != "company" || q.Get("page") != "2" {
			t.Errorf("previous link %q", prev)
		}
	})

	t.Run("the queue tabs count all matches, not just the page", func(t *testing.T) {
		tabs, _ := tabsOf(c.Get("/customers").Want(http.StatusOK))
		if tabs["All"].text != "All 45" || tabs["Pending"].text != "Pending 45" {
			t.Errorf("tabs %v", tabs)
		}
	})
}

func TestEmptyList(t *testing.T) {
	s := webtest.New(t)

	t.Run("an officer is invited to create the first customer", func(t *testing.T) {
		r := s.SignIn("officer").Get("/customers").Want(http.StatusOK)
		if !strings.Contains(r.Text("[data-testid=empty-state]"), "No customers yet") {
			t.Errorf("empty state %q", r.Text("[data-testid=empty-state]"))
		}
		if href, _ := r.Doc.Find("[data-testid=empty-state] a").Attr("href"); href != "/customers/new" {
			t.Errorf("empty state links to %q", href)
		}
		tabs, _ := tabsOf(r)
		if tabs["All"].text != "All 0" {
			t.Errorf("All tab %q", tabs["All"].text)
		}
	})

	t.Run("a viewer is told where customers come from, with no create link", func(t *testing.T) {
		r := s.SignIn("viewer").Get("/customers").Want(http.StatusOK)
		if !strings.Contains(r.Text("[data-testid=empty-state]"), "No customers yet") {
			t.Errorf("empty state %q", r.Text("[data-testid=empty-state]"))
		}
		if r.Has("[data-testid=empty-state] a") || r.Has("[data-testid=new-customer]") {
			t.Errorf("viewer offered to create a customer")
		}
	})
}

// newForm is a complete, valid new-customer form.
func newForm() url.Values {
	return url.Values{
		"company.name": {"Fjord Shipping AS"}, "company.registrationNumber": {"NO-987654"},
		"company.description":             {"Coastal freight"},
		"company.taxResidenceCountryCode": {"NO"}, "riskScore": {"HIGH"},
		"company.address.addressLine1": {"Strandkaien 1"}, "company.address.addressLine2": {""},
		"company.address.city": {"Bergen"}, "company.address.postalCode": {"5013"},
		"company.address.countryCode": {"NO"},
	}
}

func count(t *testing.T, s *webtest.Site) int {
	t.Helper()
	var n int
	if err := s.DB.Get(&n, `SELECT count(*) FROM customers`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewCustomer(t *testing.T) {
	s := webtest.New(t)

	t.Run("the form has every field, labelled, risk preset to medium, and says associates come later", func(t *testing.T) {
		r := s.SignIn("officer").Get("/customers/new").Want(http.StatusOK)
		form := r.Doc.Find("form[data-testid=new-customer-form]")
		if form.AttrOr("method", "") != "post" || form.AttrOr("action", "") != "/customers/new" {
			t.Fatalf("form %s %s", form.AttrOr("method", ""), form.AttrOr("action", ""))
		}
		if form.Find(`input[name=_csrf]`).AttrOr("value", "") == "" {
			t.Errorf("no CSRF field")
		}
		for name := range newForm() {
			el := form.Find(`[name="` + name + `"]`)
			if el.Length() != 1 {
				t.Errorf("no field %s", name)
				continue
			}
			id := el.AttrOr("id", "")
			if id == "" || form.Find(`label[for="`+id+`"]`).Length() != 1 {
				t.Errorf("field %s is not labelled", name)
			}
		}
		if v := form.Find(`select[name=riskScore] option[selected]`).AttrOr("value", ""); v != "MEDIUM" {
			t.Errorf("risk preset %q", v)
		}
		if form.Find(`textarea[name="company.description"]`).Length() != 1 {
			t.Errorf("description is not a textarea")
		}
		// Countries are chosen by name and send the code.
		if form.Find(`select[name="company.address.countryCode"] option[value=NO]`).Length() != 1 {
			t.Errorf("no Norway in the country list")
		}
		if !strings.Contains(r.Text("main"), "associates") {
			t.Errorf("the page does not say where associates are added")
		}
		// Postal code is optional (not every country has one), as the service says.
		if _, req := form.Find(`[name="company.address.postalCode"]`).Attr("required"); req {
			t.Errorf("postal code marked required")
		}
		for _, name := range []string{"company.name", "company.registrationNumber", "company.address.city"} {
			if _, req := form.Find(`[name="` + name + `"]`).Attr("required"); !req {
				t.Errorf("%s not marked required", name)
			}
		}
	})

	t.Run("a viewer may not open or post the form", func(t *testing.T) {
		c := s.SignIn("viewer")
		c.Get("/customers/new").Want(http.StatusForbidden)
		before := count(t, s)
		c.PostForm("/customers/new", newForm()).Want(http.StatusForbidden)
		if count(t, s) != before {
			t.Fatalf("viewer created a customer")
		}
	})

	t.Run("a post without the CSRF token is refused", func(t *testing.T) {
		c := s.SignIn("officer")
		before := count(t, s)
		v := newForm()
		v.Set("_csrf", "")
		c.PostForm("/customers/new", v).Want(http.StatusForbidden)
		v.Set("_csrf", "forged")
		c.PostForm("/customers/new", v).Want(http.StatusForbidden)
		if count(t, s) != before {
			t.Fatalf("customer created without a valid CSRF token")
		}
	})

	t.Run("invalid input is re-rendered with 422, each error under its field, input kept", func(t *testing.T) {
		c := s.SignIn("officer")
		before := count(t, s)
		v := newForm()
		v.Set("company.name", "  ")
		v.Set("company.address.city", "")
		v.Set("company.taxResidenceCountryCode", "XX")
		v.Set("riskScore", "")
		r := c.PostForm("/customers/new", v).Want(http.StatusUnprocessableEntity)
		if count(t, s) != before {
			t.Fatalf("invalid customer created")
		}
		for _, id := range []string{"company-name", "company-address-city", "company-taxResidenceCountryCode", "riskScore"} {
			el := r.Doc.Find("#" + id)
			if el.AttrOr("aria-invalid", "") != "true" {
				t.Errorf("#%s not marked invalid", id)
			}
			described := el.AttrOr("aria-describedby", "")
			if described == "" {
				t.Errorf("#%s not tied to its error", id)
				continue
			}
			msg := ""
			for _, d := range strings.Fields(described) {
				msg += r.Text("#" + d)
			}
			if msg == "" {
				t.Errorf("#%s has no error text", id)
			}
		}
		for _, id := range []string{"company-registrationNumber", "company-address-addressLine1"} {
			if r.Doc.Find("#"+id).AttrOr("aria-invalid", "") == "true" {
				t.Errorf("#%s marked invalid", id)
			}
		}
		if got := r.Doc.Find(`#company-registrationNumber`).AttrOr("value", ""); got != "NO-987654" {
			t.Errorf("registration number not kept: %q", got)
		}
		if got := r.Doc.Find(`#company-address-postalCode`).AttrOr("value", ""); got != "5013" {
			t.Errorf("postal code not kept: %q", got)
		}
		if got := r.Text(`#company-description`); got != "Coastal freight" {
			t.Errorf("description not kept: %q", got)
		}
		if got := r.Doc.Find(`#company-address-countryCode option[selected]`).AttrOr("value", ""); got != "NO" {
			t.Errorf("country not kept: %q", got)
		}
		summary := r.Text("[data-testid=error-summary]")
		if !strings.Contains(summary, "4 problems") || !strings.Contains(summary, "Company name is required.") || !strings.Contains(summary, "City is required.") {
			t.Errorf("error summary %q", summary)
		}
		// In form order, as sentences, each linked to its input.
		items := r.Doc.Find("[data-testid=error-summary] li").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		wantStart := []string{"Company name ", "Tax residence country ", "Risk ", "City "}
		for i, w := range wantStart {
			if i >= len(items) || !strings.HasPrefix(items[i], w) || !strings.HasSuffix(items[i], ".") {
				t.Fatalf("summary items %q, want them to start %q in that order", items, wantStart)
			}
		}
		if r.Doc.Find(`[data-testid=error-summary] a[href="#company-address-city"]`).Length() != 1 {
			t.Errorf("the summary does not link City to its input")
		}
		// The form can be sent again: it carries a fresh CSRF token.
		if r.Doc.Find(`form[data-testid=new-customer-form] input[name=_csrf]`).AttrOr("value", "") == "" {
			t.Errorf("re-rendered form has no CSRF token")
		}
	})

	t.Run("a created customer is shown with a flash; it starts pending with no associates", func(t *testing.T) {
		c := s.SignIn("officer")
		v := newForm()
		v.Set("company.address.postalCode", "") // optional
		r := c.PostForm("/customers/new", v).Want(http.StatusSeeOther)
		loc := r.Location()
		ref, ok := strings.CutPrefix(loc, "/customers/")
		if !ok || ref == "" {
			t.Fatalf("redirect to %q", loc)
		}
		res, err := s.Customers.List(context.Background(), s.Actor("admin"), customer.Filter{Query: "Fjord Shipping"})
		if err != nil || len(res.Content) != 1 {
			t.Fatalf("created customer not found: %v", err)
		}
		got := res.Content[0]
		if got.Reference.String() != ref {
			t.Errorf("redirected to %s, created %s", ref, got.Reference)
		}
		if got.Status != customer.StatusPending || got.RiskScore != "HIGH" || got.Company.RegistrationNumber != "NO-987654" ||
			got.Company.Address.City != "Bergen" || got.Company.Address.CountryCode != "NO" || got.Company.TaxResidenceCountryCode != "NO" ||
			got.Company.Description == nil || *got.Company.Description != "Coastal freight" || got.Company.Address.AddressLine2 != nil ||
			got.Company.Address.PostalCode != "" || len(got.Company.Associates) != 0 {
			t.Errorf("stored %+v", got)
		}
		page := c.Get(loc).Want(http.StatusOK)
		if !strings.Contains(page.Text("#flash"), "created") {
			t.Errorf("no flash on the customer page: %q", page.Text("#flash"))
		}
		// The flash is shown once.
		if strings.Contains(c.Get(loc).Want(http.StatusOK).Text("#flash"), "created") {
			t.Errorf("flash shown twice")
		}
	})

	t.Run("an admin may create too; with htmx the answer is HX-Location", func(t *testing.T) {
		c := s.SignIn("admin")
		c.Get("/customers/new").Want(http.StatusOK)
		v := newForm()
		v.Set("company.name", "Glacier Data ehf")
		r := c.HTMX(http.MethodPost, "/customers/new", v)
		if r.Status != http.StatusNoContent || !strings.HasPrefix(r.Header.Get("HX-Location"), "/customers/") {
			t.Fatalf("htmx create: %d, HX-Location %q", r.Status, r.Header.Get("HX-Location"))
		}
	})
}

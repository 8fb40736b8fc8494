package customerpage_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/verity-kyb/verity/web/webtest"
)

// problemCodes lists the approval problems shown inside sel, by code.
func problemCodes(sel *goquery.Selection) string {
	var out []string
	sel.Find("[data-testid=approval-problem]").Each(func(_ int, li *goquery.Selection) {
		out = append(out, li.AttrOr("data-code", ""))
	})
	return strings.Join(out, " ")
}

// problemLinks maps each problem's code to its link (the last one per code).
func problemLinks(sel *goquery.Selection) map[string]string {
	out := map[string]string{}
	sel.Find("[data-testid=approval-problem]").Each(func(_ int, li *goquery.Selection) {
		out[li.AttrOr("data-code", "")] = li.Find("a[data-testid=approval-problem-link]").AttrOr("href", "")
	})
	return out
}

func TestApprovalProblemsLinkToTheirFields(t *testing.T) {
	s := webtest.New(t)
	// A second associate without a date of birth or a document type.
	second := strings.NewReplacer(`"Sean", "lastName": "Bond", "dateOfBirth": "2001-01-31"`, `"Grace", "lastName": "Hopper"`,
		`"Sean.Bond@disney.com"`, `"grace@example.com"`, `"type": "DRIVERS_LICENSE", `, "", `"number": "123456789"`, `"number": "G-1"`,
		`"number": "914764628"`, `"number": "111"`).Replace(webtest.SeedInput[strings.Index(webtest.SeedInput, `{
      "person"`):strings.LastIndex(webtest.SeedInput, "]")])
	body := strings.Replace(webtest.SeedInput, "}]", "}, "+second+"]", 1)
	c := s.NewCustomer("officer", body)
	admin := s.SignIn("admin")

	check := func(t *testing.T, sel *goquery.Selection) {
		t.Helper()
		if got := problemCodes(sel); got != "missing_date_of_birth incomplete_document" {
			t.Fatalf("problems %s: %q", got, sel.Text())
		}
		links := problemLinks(sel)
		editor := path(c, "/associates/edit")
		if links["missing_date_of_birth"] != editor+"#a1-person-dateOfBirth" || links["incomplete_document"] != editor+"#a1-details-documentInfo-type" {
			t.Fatalf("links %v", links)
		}
		if strings.Contains(sel.Text(), "company.associates") || !strings.Contains(sel.Text(), "Grace Hopper has no date of birth.") {
			t.Errorf("words: %q", sel.Text())
		}
		// Each link lands on an input of the associates editor.
		page := admin.Get(editor).Want(http.StatusOK)
		for code, href := range links {
			u, _ := url.Parse(href)
			if !page.Has("#" + u.Fragment) {
				t.Errorf("%s links to #%s, which the editor does not have", code, u.Fragment)
			}
		}
	}
	t.Run("on the customer page", func(t *testing.T) {
		check(t, admin.Get(path(c, "")).Want(http.StatusOK).Doc.Find("[data-testid=approve-blockers]"))
	})
	t.Run("on the status page", func(t *testing.T) {
		check(t, admin.Get(path(c, "/status?to=VERIFIED")).Want(http.StatusOK).Doc.Find("[data-testid=status-problem]"))
	})
	t.Run("in the refusal of a submitted approval", func(t *testing.T) {
		admin.Get(path(c, ""))
		r := admin.PostForm(path(c, "/status"), url.Values{"status": {"VERIFIED"}, "version": {strconv.Itoa(c.Version)}}).Want(http.StatusConflict)
		check(t, r.Doc.Find("[data-testid=status-problem]"))
	})
}

func TestApprovalProblemsAllListed(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", noAssociates)
	r := s.SignIn("admin").Get(path(c, "")).Want(http.StatusOK)
	sel := r.Doc.Find("[data-testid=approve-blockers]")
	if got := problemCodes(sel); got != "no_associates no_control" {
		t.Fatalf("problems %s: %q", got, sel.Text())
	}
	if !strings.Contains(sel.Text(), "has no associates") || !strings.Contains(sel.Text(), "No associate has control") {
		t.Errorf("words: %q", sel.Text())
	}
	if links := problemLinks(sel); links["no_associates"] != path(c, "/associates/edit#associates") {
		t.Errorf("links %v", links)
	}
}

func TestFourEyesProblemLinksToHistory(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("admin", "")
	sel := s.SignIn("admin").Get(path(c, "")).Want(http.StatusOK).Doc.Find("[data-testid=approve-blockers]")
	if problemCodes(sel) != "four_eyes" || problemLinks(sel)["four_eyes"] != path(c, "/history") {
		t.Fatalf("four-eyes: %q %v", sel.Text(), problemLinks(sel))
	}
}

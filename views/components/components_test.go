package components_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/verity-kyb/verity/views/components"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/form"
)

// render renders c and parses the result, failing the test on any error.
func render(t *testing.T, c templ.Component) (string, *goquery.Document) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return buf.String(), doc
}

func attr(t *testing.T, s *goquery.Selection, name string) string {
	t.Helper()
	if s.Length() != 1 {
		t.Fatalf("want exactly one element, got %d", s.Length())
	}
	v, _ := s.Attr(name)
	return v
}

func TestField(t *testing.T) {
	t.Run("ErrorsTiedToInput", func(t *testing.T) {
		_, doc := render(t, components.Field(components.FieldProps{
			ID: "company-name", Name: "company.name", Label: "Name", Value: "Acme",
			Hint: "As registered", Required: true, MaxLength: 200,
			Errors: []string{"must not be blank", "too short"},
		}))
		in := doc.Find("input#company-name")
		if got := attr(t, in, "aria-invalid"); got != "true" {
			t.Errorf("aria-invalid = %q, want true", got)
		}
		if got := attr(t, in, "aria-describedby"); got != "company-name-error company-name-hint" {
			t.Errorf("aria-describedby = %q", got)
		}
		if got := attr(t, in, "maxlength"); got != "200" {
			t.Errorf("maxlength = %q", got)
		}
		if _, ok := in.Attr("required"); !ok {
			t.Error("required attribute missing")
		}
		if got := attr(t, doc.Find("label"), "for"); got != "company-name" {
			t.Errorf("label for = %q", got)
		}
		errs := doc.Find("ul#company-name-error li")
		if errs.Length() != 2 || errs.First().Text() != "must not be blank" {
			t.Errorf("error list = %q", errs.Text())
		}
		if doc.Find("#company-name-hint").Text() != "As registered" {
			t.Error("hint missing")
		}
	})

	t.Run("ValidHasNoErrorWiring", func(t *testing.T) {
		html, doc := render(t, components.Field(components.FieldProps{Name: "email", Label: "E-mail", Type: "email"}))
		in := doc.Find("input#email")
		if _, ok := in.Attr("aria-invalid"); ok {
			t.Error("aria-invalid rendered without errors")
		}
		if _, ok := in.Attr("aria-describedby"); ok {
			t.Error("aria-describedby rendered without hint or errors")
		}
		if attr(t, in, "type") != "email" {
			t.Error("type not passed through")
		}
		if strings.Contains(html, "-error") {
			t.Error("error list rendered without errors")
		}
	})

	t.Run("EscapesValueAndErrors", func(t *testing.T) {
		evil := `"><script>alert(1)</script>`
		html, doc := render(t, components.Field(components.FieldProps{
			Name: "q", Label: "Search", Value: evil, Errors: []string{evil},
		}))
		if strings.Contains(html, "<script>") {
			t.Fatalf("unescaped script tag in %s", html)
		}
		if got := attr(t, doc.Find("input#q"), "value"); got != evil {
			t.Errorf("value round-trip = %q, want %q", got, evil)
		}
		if got := doc.Find("#q-error li").Text(); got != evil {
			t.Errorf("error text = %q", got)
		}
	})
}

func TestTextareaEscapesBody(t *testing.T) {
	html, doc := render(t, components.Textarea(components.TextareaProps{
		Name: "reason", Label: "Reason", Value: "</textarea><script>x()</script>",
	}))
	if strings.Contains(html, "<script>") {
		t.Fatalf("unescaped script tag in %s", html)
	}
	if got := doc.Find("textarea#reason").Text(); got != "</textarea><script>x()</script>" {
		t.Errorf("textarea text = %q", got)
	}
}

func TestSelect(t *testing.T) {
	_, doc := render(t, components.Select(components.SelectProps{
		Name: "riskScore", Label: "Risk", Selected: "MEDIUM", Placeholder: "Any risk",
		Options: []components.Option{{Value: "LOW", Label: "Low"}, {Value: "MEDIUM", Label: "Medium"}},
		Errors:  []string{"must be LOW, MEDIUM or HIGH"},
	}))
	if got := doc.Find("option[selected]").AttrOr("value", "?"); got != "MEDIUM" {
		t.Errorf("selected = %q, want MEDIUM", got)
	}
	if n := doc.Find("option").Length(); n != 3 {
		t.Errorf("options = %d, want 3 (placeholder + 2)", n)
	}
	sel := doc.Find("select#riskScore")
	if attr(t, sel, "aria-invalid") != "true" || attr(t, sel, "aria-describedby") != "riskScore-error" {
		t.Error("select error wiring missing")
	}
}

func TestCheckboxDefaultsValue(t *testing.T) {
	_, doc := render(t, components.Checkbox(components.CheckboxProps{Name: "isSigner", Label: "Signer", Checked: true}))
	in := doc.Find("input#isSigner")
	if attr(t, in, "value") != "true" {
		t.Error("checkbox value should default to true")
	}
	if _, ok := in.Attr("checked"); !ok {
		t.Error("checked missing")
	}
}

func TestErrorSummaryListsAllMessagesInKeyOrderAsSentences(t *testing.T) {
	_, doc := render(t, components.ErrorSummary(map[string][]string{
		"company.name":    {"must not be blank"},
		"company.address": {"city too long", "postal code too long"},
	}))
	box := doc.Find("[role=alert]")
	if box.Length() != 1 {
		t.Fatal("no role=alert summary")
	}
	items := box.Find("li").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	want := []string{"City too long.", "Postal code too long.", "Must not be blank."}
	if strings.Join(items, "|") != strings.Join(want, "|") {
		t.Errorf("items = %q, want %q", items, want)
	}
	if !strings.Contains(box.Text(), "3 problems") {
		t.Errorf("summary heading = %q", box.Find("p").Text())
	}

	html, _ := render(t, components.ErrorSummary(nil))
	if strings.TrimSpace(html) != "" {
		t.Errorf("empty summary rendered %q", html)
	}
}

func TestBadgesReadWithoutColour(t *testing.T) {
	for status, word := range map[string]string{"PENDING": "Pending", "VERIFIED": "Verified", "REJECTED": "Rejected"} {
		_, doc := render(t, components.StatusBadge(status))
		b := doc.Find(".badge")
		if strings.TrimSpace(b.Text()) != word || b.Find("svg[aria-hidden=true]").Length() != 1 {
			t.Errorf("StatusBadge(%s) = %q, want word %q and one glyph", status, b.Text(), word)
		}
	}
	_, doc := render(t, components.VerificationBadge("infoRequired"))
	if got := strings.TrimSpace(doc.Find(".badge").Text()); got != "infoRequired" {
		t.Errorf("VerificationBadge shows %q, want the provider's word as is", got)
	}
}

func TestPagination(t *testing.T) {
	_, doc := render(t, components.Pagination(components.PageLinks{From: 21, To: 40, Total: 1234, PrevURL: "/customers?page=0"}))
	if got := strings.Join(strings.Fields(doc.Find("nav p").Text()), " "); got != "Showing 21–40 of 1,234" {
		t.Errorf("summary = %q", got)
	}
	if doc.Find(`a[rel=prev]`).AttrOr("href", "") != "/customers?page=0" {
		t.Error("previous link missing")
	}
	if doc.Find(`a[rel=next]`).Length() != 0 {
		t.Error("next link rendered without a URL")
	}
}

func TestTabsMarkCurrent(t *testing.T) {
	_, doc := render(t, components.Tabs([]components.Tab{
		{Label: "Pending", URL: "/customers?status=PENDING", Count: 12, Active: true},
		{Label: "All", URL: "/customers", Count: -1},
	}))
	cur := doc.Find(`a[aria-current=page]`)
	if cur.Length() != 1 || !strings.Contains(cur.Text(), "Pending") || cur.Find(".tab-count").Text() != "12" {
		t.Errorf("current tab = %q", cur.Text())
	}
	if doc.Find(".tab-count").Length() != 1 {
		t.Error("negative count should hide the number")
	}
}

func TestTimeIsUTC(t *testing.T) {
	at := time.Date(2026, 1, 2, 15, 5, 0, 0, time.FixedZone("CET", 3600))
	_, doc := render(t, components.Time(at))
	tm := doc.Find("time")
	if tm.Text() != "2 Jan 2026 14:05 UTC" || tm.AttrOr("datetime", "") != "2026-01-02T14:05:00Z" {
		t.Errorf("time = %q datetime=%q", tm.Text(), tm.AttrOr("datetime", ""))
	}
}

// The shell lives in package layout; it is checked here because these are the shared view tests.
func TestBaseLayoutIsCSPSafe(t *testing.T) {
	page := layout.Page{
		Title: "Customers", CSRFToken: `tok"<en>`, Active: layout.NavCustomers,
		User:  &layout.CurrentUser{Name: "Ada", Email: "ada@example.com", Role: "officer"},
		Flash: []layout.Flash{{Kind: "success", Text: "Saved"}},
	}
	html, doc := render(t, layout.Base(page))
	if doc.Find("[style]").Length() != 0 || doc.Find("style").Length() != 0 {
		t.Error("inline styles break style-src 'self'")
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); !ok || strings.TrimSpace(s.Text()) != "" {
			t.Errorf("inline script breaks script-src 'self': %s", html)
		}
	})
	if got := doc.Find(`meta[name=csrf-token]`).AttrOr("content", ""); got != page.CSRFToken {
		t.Errorf("csrf meta = %q", got)
	}
	if got := doc.Find(`form[action="/sign-out"] input[name=_csrf]`).AttrOr("value", ""); got != page.CSRFToken {
		t.Errorf("sign-out form token = %q", got)
	}
	if doc.Find(`main#main[tabindex="-1"]`).Length() != 1 || doc.Find(`a[href="#main"]`).Length() != 1 {
		t.Error("skip link or main landmark missing")
	}
	if doc.Find(`nav a[href="/admin/staff"]`).Length() != 0 {
		t.Error("non-admin sees the Staff link")
	}
	if doc.Find(`nav a[aria-current=page]`).Text() != "Customers" {
		t.Error("active nav entry not marked")
	}
	if doc.Find(`#flash[role=status] [data-flash=success]`).Text() != "Saved" {
		t.Error("flash not rendered in the status region")
	}

	page.User.IsAdmin = true
	_, doc = render(t, layout.Base(page))
	if doc.Find(`nav a[href="/admin/staff"]`).Length() != 1 || doc.Find(`nav a[href="/admin/api-keys"]`).Length() != 1 {
		t.Error("admin nav missing")
	}
}

func TestCountryControl(t *testing.T) {
	spec := form.Spec{Path: "details.birthCountryCode", Label: "Birth country", Kind: form.Country, Empty: "None"}
	t.Run("ListsCountriesByNameSendingTheCode", func(t *testing.T) {
		_, doc := render(t, components.Control(components.ControlProps{Spec: spec, ID: "a0-birth", Name: "b", Value: "DE"}))
		sel := doc.Find("select#a0-birth")
		if sel.Find("option[selected]").AttrOr("value", "") != "DE" || sel.Find("option[value=DE]").Text() != "Germany (DE)" {
			t.Errorf("country select: %q selected", sel.Find("option[selected]").Text())
		}
		if doc.Find("input").Length() != 0 {
			t.Error("a country is a select, not a text input")
		}
	})
	t.Run("KeepsAnUnknownCode", func(t *testing.T) {
		_, doc := render(t, components.Control(components.ControlProps{Spec: spec, ID: "a0-birth", Name: "b", Value: "XK"}))
		if got := doc.Find("option[selected]"); got.AttrOr("value", "") != "XK" || !strings.Contains(got.Text(), "unknown code") {
			t.Errorf("unknown code not kept: %q", got.Text())
		}
	})
}

package form_test

import (
	"strings"
	"testing"

	"github.com/verity-kyb/verity/web/form"
)

func TestSentence(t *testing.T) {
	for _, c := range []struct{ label, msg, want string }{
		{"City", "is required", "City is required."},
		{"Associate 2 — E-mail", "must be a valid e-mail address", "Associate 2 — E-mail must be a valid e-mail address."},
		{"", "must not be blank", "Must not be blank."},
		{"", "Already a sentence.", "Already a sentence."},
	} {
		if got := form.Sentence(c.label, c.msg); got != c.want {
			t.Errorf("Sentence(%q, %q) = %q, want %q", c.label, c.msg, got, c.want)
		}
	}
}

// TestSummaryInFormOrder: the summary follows the fields, not the paths'
// alphabet (City used to come before Company name).
func TestSummaryInFormOrder(t *testing.T) {
	errs := map[string][]string{
		"company.address.city":    {"is required"},
		"company.name":            {"is required"},
		"company.address.country": {"does not match countryCode GB (United Kingdom)"},
		"company.unknownThing":    {"is odd"},
		"riskScore":               {"must be one of LOW, MEDIUM, HIGH"},
	}
	var got []string
	for _, p := range form.Details.Summary(errs, form.Place{}) {
		got = append(got, p.Text+" #"+p.Target)
	}
	want := []string{
		"Company name is required. #company-name",
		"Risk must be one of LOW, MEDIUM, HIGH. #riskScore",
		"City is required. #company-address-city",
		"Country does not match countryCode GB (United Kingdom). #company-address-countryCode",
		"Company.unknownThing is odd. #",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("summary:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLabel(t *testing.T) {
	for path, want := range map[string]string{
		"company.address.city": "City",
		"company.website":      "Website",
		"riskScore":            "Risk",
		"company.associates[2].details.contactInfo.emailAddress":                   "E-mail",
		"company.associates[0b6f1c2e-0000-4000-8000-000000000000].person.lastName": "Last name",
		"company.associates[1].details.documentNumber":                             "Document number",
		"address.city":  "City",
		"no.such.thing": "no.such.thing",
	} {
		if got := form.Label(path); got != want {
			t.Errorf("Label(%q) = %q, want %q", path, got, want)
		}
	}
}

package customerpage_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/webtest"
)

// FuzzDetailsForm posts any values in the company details form through the
// whole app: the answer is a save (303) or the form again with field errors
// (422), never a server error, and a saved form shows its values again.
func FuzzDetailsForm(f *testing.F) {
	for _, s := range [][5]string{
		{"Updated Company Name", "Updated description", "Updated Address Line 1", "Updated City", "US"},
		{"Bond Holdings", "Line one\r\nLine two", "1 Main St", "New York", "us"},
		{"\u200b", "\ud7ff", "\t", "Paris", "FR"},
		{"Acme\x00", "\xff", "1 Way", "", "ZZ"},
		{"", "", "", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	s := webtest.New(f)
	c := s.NewCustomer("officer", "")
	o := s.SignIn("officer")
	f.Fuzz(func(t *testing.T, name, description, line1, city, country string) {
		cur := stored(t, s, c)
		form := url.Values{"version": {strconv.Itoa(cur.Version)}, "company.name": {name}, "company.description": {description},
			"company.registrationNumber": {"21-4532998"}, "company.taxResidenceCountryCode": {"US"}, "riskScore": {"LOW"},
			"company.address.addressLine1": {line1}, "company.address.addressLine2": {""}, "company.address.city": {city},
			"company.address.postalCode": {"10001"}, "company.address.countryCode": {country}}
		status, body := post(t, s, o, path(c, "/details"), form)
		switch status {
		case http.StatusSeeOther:
			if status, body := get(t, s, o, path(c, "/details/edit")); status != http.StatusOK {
				t.Fatalf("saved %q, then the form answers %d:\n%s", form, status, body)
			}
		case http.StatusUnprocessableEntity:
			if !strings.Contains(body, `data-testid="details-form"`) || !strings.Contains(body, `aria-invalid="true"`) {
				t.Fatalf("422 without the form and its errors:\n%s", body)
			}
		default:
			t.Fatalf("status %d for %q:\n%s", status, form, body)
		}
	})
}

// FuzzStatusForm posts any reason with a status move: 303, or the form with
// a field error or the refusal (409), never a server error.
func FuzzStatusForm(f *testing.F) {
	for _, s := range [][2]string{
		{"REJECTED", "Registry extract is outdated.\r\nAsk for a new one."},
		{"PENDING", "Reopened: new documents arrived"},
		{"VERIFIED", ""},
		{"REJECTED", "\u200b"},
		{"pending", "bell\a"},
		{"DONE", "x"},
	} {
		f.Add(s[0], s[1])
	}
	s := webtest.New(f)
	c := s.NewCustomer("officer", "")
	a := s.SignIn("admin")
	f.Fuzz(func(t *testing.T, to, reason string) {
		cur := stored(t, s, c)
		status, body := post(t, s, a, path(c, "/status"), url.Values{"status": {to}, "version": {strconv.Itoa(cur.Version)}, "reason": {reason}})
		switch status {
		case http.StatusSeeOther:
			// a browser follows the redirect, which shows (and clears) the flash
			if status, body := get(t, s, a, path(c, "")); status != http.StatusOK {
				t.Fatalf("moved with %q, then the page answers %d:\n%s", reason, status, body)
			}
		case http.StatusUnprocessableEntity, http.StatusConflict:
		case http.StatusBadRequest: // only for a status that does not exist
			if _, ok := customer.ParseStatus(strings.ToUpper(to)); ok {
				t.Fatalf("400 for %q %q:\n%s", to, reason, body)
			}
		default:
			t.Fatalf("status %d for %q %q:\n%s", status, to, reason, body)
		}
	})
}

// post sends a form as the signed-in client's browser would. (The webtest
// client reports to the fuzz target's F, which a fuzz function must not use.)
func post(t *testing.T, s *webtest.Site, c *webtest.Client, path string, form url.Values) (int, string) {
	form.Set("_csrf", c.CSRF)
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, c, req)
}

func get(t *testing.T, s *webtest.Site, c *webtest.Client, path string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	return send(t, c, req)
}

func send(t *testing.T, c *webtest.Client, req *http.Request) (int, string) {
	t.Helper()
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

package associates

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/form"
)

// seedRow is one associate as the editor posts it (a browser's form body).
const seedRow = "company.associates[0].person.firstName=Sean&company.associates[0].person.lastName=Bond" +
	"&company.associates[0].person.dateOfBirth=2001-01-31&company.associates[0].title=CEO&company.associates[0].riskScore=LOW" +
	"&company.associates[0].details.contactInfo.emailAddress=Sean.Bond%40disney.com&company.associates[0].details.contactInfo.phoneNumber=%2B123456789" +
	"&company.associates[0].details.birthCountryCode=us&company.associates[0].details.documentInfo.type=DRIVERS_LICENSE" +
	"&company.associates[0].details.documentInfo.number=123456789&company.associates[0].details.documentInfo.issuingCountryCode=US" +
	"&company.associates[0].details.taxIdentification.number=914764628&company.associates[0].details.taxIdentification.taxResidenceCountryCode=US" +
	"&company.associates[0].controls.hasControl=true&company.associates[0].person.address.addressLine1=101+West+Broadway" +
	"&company.associates[0].person.address.city=San+Diego&company.associates[0].person.address.countryCode=US"

var errorRow = regexp.MustCompile(`^company\.associates\[(\d+)\]`)

// FuzzAssociatesForm: any posted editor form turns into rows and the
// service's input without panic; the rows are numbered 0…n-1; validation
// answers only field errors under company.associates, for rows that exist.
func FuzzAssociatesForm(f *testing.F) {
	for _, s := range []string{
		seedRow,
		seedRow + "&company.associates[7].person.firstName=Ada&company.associates[7].person.lastName=Lovelace",
		"company.associates[3].person.firstName=%E2%80%8B&company.associates[3].person.lastName=B",
		"company.associates[0].person.firstName=A&company.associates[0].person.firstName=B&company.associates[99999].title=x",
		"company.associates[-1].title=x&company.associates[01].title=y&company.associates[1].title=z",
		"company.associates[0].person.firstName=%FF&company.associates[0].details.contactInfo.phoneNumber=12345",
		"version=3&_action=remove%3A0&company.associates[0].person.reference=not-a-uuid",
		"",
	} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		posted, err := url.ParseQuery(body)
		if err != nil {
			return // the handler answers malformed_form
		}
		rows := readRows(posted)
		list := make([]customer.AssociateInput, len(rows))
		for i, r := range rows {
			if r.Index != i {
				t.Fatalf("row %d numbered %d", i, r.Index)
			}
			list[i] = form.Associate.Decode(r.Values)
		}
		_, err = customer.ValidateAssociates(list, now)
		if err == nil {
			return
		}
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != "validation_failed" || len(e.Fields) == 0 {
			t.Fatalf("want field errors, got %v", err)
		}
		for path := range e.Fields {
			if path == "company.associates" {
				continue
			}
			m := errorRow.FindStringSubmatch(path)
			if m == nil {
				t.Fatalf("error path %q is not an associate's", path)
			}
			if n, _ := strconv.Atoi(m[1]); n >= len(rows) {
				t.Fatalf("error path %q names a row that is not in the form (%d rows)", path, len(rows))
			}
		}
	})
}

package customer_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/jsonx"
)

// addSeedFiles adds the seed page's examples (web/api/testdata/seed) whose
// name starts with prefix, plus the bodies given.
func addSeedFiles(f *testing.F, prefix string, bodies ...string) {
	files, err := filepath.Glob("../../web/api/testdata/seed/" + prefix + "*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed examples %s*: %v", prefix, err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, b := range bodies {
		f.Add([]byte(b))
	}
}

// wantFieldErrors checks a refusal is a validation error whose every path
// starts with one of prefixes.
func wantFieldErrors(t *testing.T, err error, prefixes ...string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.KindInvalid || e.Code != "validation_failed" || len(e.Fields) == 0 {
		t.Fatalf("want validation_failed with fields, got %v", err)
	}
	for path, msgs := range e.Fields {
		ok := false
		for _, p := range prefixes {
			ok = ok || path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[")
		}
		if !ok || len(msgs) == 0 {
			t.Fatalf("field error %q %v is not under %v", path, msgs, prefixes)
		}
	}
}

// FuzzValidateCreate: any create (or import) body validates without panic;
// a refusal names fields under the customer's own paths; an accepted
// customer, sent back in its JSON shape, validates to the same customer.
func FuzzValidateCreate(f *testing.F) {
	addSeedFiles(f, "", seedInput,
		strings.Replace(seedInput, `"Bond Holdings"`, `"\u200b"`, 1),
		strings.Replace(seedInput, `"Original description"`, `"a\r\nb\n"`, 1),
		strings.Replace(seedInput, `"+123456789"`, `"+48 (531) 647-525"`, 1),
		strings.Replace(seedInput, `"DRIVERS_LICENSE"`, `"DRIVERS"`, 1),
		`{"riskScore": "HIGH", "company": {"associates": [{}, {}]}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		var rec customer.ImportRecord
		if jsonx.Decode(body, &rec) != nil {
			return
		}
		c, _, err := customer.ValidateCreate(rec.CreateInput, fixedNow)
		if err != nil {
			wantFieldErrors(t, err, "company", "riskScore", "type")
			return
		}
		again, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var rec2 customer.ImportRecord
		if err := jsonx.Decode(again, &rec2); err != nil {
			t.Fatalf("an accepted customer's JSON does not decode: %v\n%s", err, again)
		}
		c2, _, err := customer.ValidateCreate(rec2.CreateInput, fixedNow)
		if err != nil {
			t.Fatalf("accepted %q, but its stored form is refused: %v", body, err)
		}
		if !reflect.DeepEqual(c.Company, c2.Company) || c.RiskScore != c2.RiskScore {
			t.Fatalf("re-validating changed it:\n%+v\n%+v", c.Company, c2.Company)
		}
	})
}

// storedCustomer is a valid customer as the database holds it, for details updates.
func storedCustomer(t *testing.T) customer.Customer {
	c, _, err := customer.ValidateCreate(decode[customer.CreateInput](t, seedInput), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzApplyDetails: any details body merges without panic; refusals name
// company.… or riskScore; an accepted result is stable: applying the same
// update again, or all of its values, changes nothing.
func FuzzApplyDetails(f *testing.F) {
	addSeedFiles(f, "details_request",
		`{"description": null, "address": {"addressLine2": null, "country": "United States of America"}}`,
		`{"name": "\ufeff", "riskScore": "MEDIUM", "taxResidenceCountryCode": "GB"}`,
		`{"address": {"countryCode": "DE", "country": "Germany"}, "description": "x\r\ny"}`,
		`{"address": null}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		var up customer.DetailsUpdate
		if jsonx.Decode(body, &up) != nil {
			return
		}
		cur := storedCustomer(t)
		next, err := customer.ApplyDetails(cur, up, fixedNow)
		if err != nil {
			wantFieldErrors(t, err, "company", "riskScore")
			return
		}
		again, err := customer.ApplyDetails(next, up, fixedNow)
		if err != nil || !reflect.DeepEqual(again, next) {
			t.Fatalf("applying %q twice differs: %v", body, err)
		}
		co := next.Company
		all := customer.DetailsUpdate{Name: customer.Some(co.Name), Description: optional(co.Description),
			TaxResidenceCountryCode: customer.Some(co.TaxResidenceCountryCode), RegistrationNumber: customer.Some(co.RegistrationNumber),
			RiskScore: customer.Some(string(next.RiskScore)),
			Address: customer.Some(customer.AddressUpdate{AddressLine1: customer.Some(co.Address.AddressLine1),
				AddressLine2: optional(co.Address.AddressLine2), City: customer.Some(co.Address.City),
				PostalCode: customer.Some(co.Address.PostalCode), CountryCode: customer.Some(co.Address.CountryCode),
				Country: customer.Some(co.Address.Country)})}
		same, err := customer.ApplyDetails(next, all, fixedNow)
		if err != nil || !reflect.DeepEqual(same, next) {
			t.Fatalf("the stored values of %q do not re-validate the same: %v", body, err)
		}
	})
}

func optional(p *string) customer.Optional[string] {
	if p == nil {
		return customer.Optional[string]{Set: true, Null: true}
	}
	return customer.Some(*p)
}

// FuzzValidateAssociates: any associates body validates without panic;
// refusals name company.associates…; an accepted list, sent back in its
// JSON shape, validates to the same list.
func FuzzValidateAssociates(f *testing.F) {
	addSeedFiles(f, "associates_request",
		`{"associates": [`+associateWith("", "")+`]}`,
		`{"associates": [`+associateWith("", "")+`, `+associateWith("emailAddress", `"SEAN@example.com"`)+`]}`,
		`{"associates": [`+associateWith("docType", `"DRIVER_LICENSE"`)+`]}`,
		`{"associates": [`+associateWith("firstName", `"\u200d"`)+`]}`,
		`{"associates": []}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		var in customer.AssociatesInput
		if jsonx.Decode(body, &in) != nil || in.Associates == nil {
			return
		}
		out, err := customer.ValidateAssociates(*in.Associates, fixedNow)
		if err != nil {
			wantFieldErrors(t, err, "company.associates")
			return
		}
		again, err := json.Marshal(map[string]any{"associates": out})
		if err != nil {
			t.Fatal(err)
		}
		var in2 customer.AssociatesInput
		if err := jsonx.Decode(again, &in2); err != nil {
			t.Fatalf("accepted associates' JSON does not decode: %v\n%s", err, again)
		}
		out2, err := customer.ValidateAssociates(*in2.Associates, fixedNow)
		if err != nil || !reflect.DeepEqual(out, out2) {
			t.Fatalf("accepted %q, but its stored form re-validates differently: %v", body, err)
		}
	})
}

// FuzzReasonText: a status reason is refused only with a field error on
// reason, and an accepted one is stable.
func FuzzReasonText(f *testing.F) {
	for _, s := range []string{"", "All checks passed", "line one\r\nline two", "\u200b", "tab\there", "x\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := customer.ReasonText(&s)
		if err != nil {
			wantFieldErrors(t, err, "reason")
			return
		}
		again, err := customer.ReasonText(&got)
		if err != nil || again != got {
			t.Fatalf("reason %q accepted as %q, then %q (%v)", s, got, again, err)
		}
	})
}

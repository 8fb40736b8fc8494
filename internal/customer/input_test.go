package customer_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/jsonx"
)

// TestInvisibleNamesAreBlank: a name of zero-width characters shows nothing,
// so it is refused like an empty one, wherever a text is required.
func TestInvisibleNamesAreBlank(t *testing.T) {
	const p = "company.associates[0]."
	for _, tc := range []struct{ name, field, raw, path string }{
		{"ErrFirstNameZeroWidthSpace", "firstName", `"\u200b"`, p + "person.firstName"},
		{"ErrLastNameJoiners", "lastName", `"\u200c\u200d"`, p + "person.lastName"},
		{"ErrFirstNameBOMWordJoinerSoftHyphen", "firstName", `"\ufeff\u2060\u00ad"`, p + "person.firstName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := validateOne(t, associateWith(tc.field, tc.raw))
			if got := errs[tc.path]; len(got) != 1 || got[0] != "must not be blank" {
				t.Fatalf("want %s: must not be blank, got %v", tc.path, errs)
			}
		})
	}
	t.Run("ErrCompanyNameAndAddressInvisible", func(t *testing.T) {
		body := strings.Replace(seedInput, `"Bond Holdings"`, `"\u200b\u200b"`, 1)
		body = strings.Replace(body, `"1 Main St"`, `"\u2060"`, 1)
		body = strings.Replace(body, `"21-4532998"`, `" \ufeff "`, 1)
		_, _, err := customer.ValidateCreate(decode[customer.CreateInput](t, body), fixedNow)
		errs := fieldErrors(t, err)
		for _, path := range []string{"company.name", "company.address.addressLine1", "company.registrationNumber"} {
			if got := errs[path]; len(got) != 1 || got[0] != "must not be blank" {
				t.Errorf("want %s: must not be blank, got %v", path, errs)
			}
		}
	})
	t.Run("ErrDetailsNameInvisible", func(t *testing.T) {
		_, err := customer.ApplyDetails(customer.Customer{}, customer.DetailsUpdate{Name: customer.Some("\u200b")}, fixedNow)
		if got := fieldErrors(t, err)["company.name"]; len(got) != 1 || got[0] != "must not be blank" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("OK_OptionalInvisibleMeansNone", func(t *testing.T) {
		out, errs := validateOne(t, associateWith("title", `"\u200b"`))
		if errs != nil || out[0].Title != nil {
			t.Fatalf("title %v, errors %v", out[0].Title, errs)
		}
	})
}

// TestLineBreaks: description and status reason keep their lines; \r\n is
// stored as \n; other control characters are still refused.
func TestLineBreaks(t *testing.T) {
	t.Run("OK_CreateDescription", func(t *testing.T) {
		body := strings.Replace(seedInput, `"Original description"`, `"Holding company.\r\nTrading arm.\nThird line."`, 1)
		c, _, err := customer.ValidateCreate(decode[customer.CreateInput](t, body), fixedNow)
		if err != nil || *c.Company.Description != "Holding company.\nTrading arm.\nThird line." {
			t.Fatalf("description %q, err %v", *c.Company.Description, err)
		}
	})
	t.Run("OK_DetailsDescription", func(t *testing.T) {
		c, err := customer.ApplyDetails(customer.Customer{}, customer.DetailsUpdate{Description: customer.Some("One\r\nTwo")}, fixedNow)
		if err != nil || *c.Company.Description != "One\nTwo" {
			t.Fatalf("description %v, err %v", c.Company.Description, err)
		}
	})
	t.Run("OK_Reason", func(t *testing.T) {
		in := "Documents expired.\r\nAsk for new ones."
		got, err := customer.ReasonText(&in)
		if err != nil || got != "Documents expired.\nAsk for new ones." {
			t.Fatalf("reason %q, err %v", got, err)
		}
	})
	for _, bad := range []string{"One\tTwo", "One\rTwo", "One\x00", "One\u2028Two"} {
		t.Run("ErrControl", func(t *testing.T) {
			_, err := customer.ApplyDetails(customer.Customer{}, customer.DetailsUpdate{Description: customer.Some(bad)}, fixedNow)
			if got := fieldErrors(t, err)["company.description"]; len(got) == 0 {
				t.Fatalf("%q: want an error, got %v", bad, err)
			}
			if _, err := customer.ReasonText(&bad); len(fieldErrors(t, err)["reason"]) == 0 {
				t.Fatalf("reason %q: want an error, got %v", bad, err)
			}
		})
	}
	t.Run("ErrNameStaysOneLine", func(t *testing.T) {
		_, err := customer.ApplyDetails(customer.Customer{}, customer.DetailsUpdate{Name: customer.Some("Acme\nLtd")}, fixedNow)
		if len(fieldErrors(t, err)["company.name"]) == 0 {
			t.Fatal("a line break in a name must be refused")
		}
	})
}

// TestDecodePathsAreCustomerShaped: every endpoint's body reports problems
// under the path validation uses for the same field.
func TestDecodePathsAreCustomerShaped(t *testing.T) {
	for _, tc := range []struct {
		name, body, path string
		into             any
	}{
		{"DetailsUnknown", `{"address": {"cityy": "x"}}`, "company.address.cityy", &customer.DetailsUpdate{}},
		{"DetailsTopUnknown", `{"nmae": "x"}`, "company.nmae", &customer.DetailsUpdate{}},
		{"DetailsWrongType", `{"name": 1}`, "company.name", &customer.DetailsUpdate{}},
		{"DetailsRiskStaysTop", `{"riskScore": 1}`, "riskScore", &customer.DetailsUpdate{}},
		{"DetailsDuplicate", `{"name": "a", "name": "b"}`, "company.name", &customer.DetailsUpdate{}},
		{"AssociatesUnknown", `{"associates": [{"details": {"contactInfo": {"faxNumbr": "1"}}}]}`,
			"company.associates[0].details.contactInfo.faxNumbr", &customer.AssociatesInput{}},
		{"AssociatesVerificationUnknown", `{"associates": [{"verification": {"url": "u", "statuz": "x"}}]}`,
			"company.associates[0].verification.statuz", &customer.AssociatesInput{}},
		{"AssociatesWrongTypeInSecond", `{"associates": [{}, {"controls": {"isSigner": "yes"}}]}`,
			"company.associates[1].controls.isSigner", &customer.AssociatesInput{}},
		{"CreateUnknown", `{"company": {"associates": [{"person": {"middleName": "x"}}]}}`,
			"company.associates[0].person.middleName", &customer.CreateInput{}},
		{"CreateCompanyVerificationUnknown", `{"company": {"verification": {"link": "x"}}}`,
			"company.verification.link", &customer.CreateInput{}},
		{"StatusUnknown", `{"status": "PENDING", "reasn": "x"}`, "reasn", &customer.StatusChange{}},
		{"StatusLoneSurrogate", `{"status": "PENDING", "reason": "\ud800"}`, "reason", &customer.StatusChange{}},
	} {
		t.Run("Err"+tc.name, func(t *testing.T) {
			err := jsonx.Decode([]byte(tc.body), tc.into)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != "validation_failed" || len(e.Fields[tc.path]) == 0 {
				t.Fatalf("want validation_failed at %s, got %v", tc.path, err)
			}
		})
	}
	t.Run("OK_VerificationRoundTrips", func(t *testing.T) {
		var in customer.AssociatesInput
		body := `{"associates": [{"person": {"firstName": "A"}, "verification": {"url": "https://v/x", "status": "pending"}}]}`
		if err := jsonx.Decode([]byte(body), &in); err != nil {
			t.Fatal(err)
		}
	})
}

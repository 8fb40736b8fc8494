package customer_test

import (
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
)

// associateJSON builds one associate entry with a field replaced by raw JSON.
func associateWith(path, raw string) string {
	base := map[string]string{
		"firstName": `"Sean"`, "lastName": `"Bond"`, "dateOfBirth": `"2001-01-31"`,
		"countryCode": `"US"`, "country": `"United States"`, "birthCountryCode": `"US"`,
		"emailAddress": `"sean@example.com"`, "phoneNumber": `"+123456789"`,
		"docNumber": `"123456789"`, "docType": `"DRIVERS_LICENSE"`, "docCountry": `"US"`,
		"taxNumber": `"914764628"`, "taxCountry": `"US"`, "title": `"CEO"`, "riskScore": `"LOW"`,
		"documentNumber": `"123456789"`,
	}
	base[path] = raw
	return `{"person": {"firstName": ` + base["firstName"] + `, "lastName": ` + base["lastName"] +
		`, "dateOfBirth": ` + base["dateOfBirth"] + `, "address": {"addressLine1": "1 Way", "city": "X",
		"postalCode": "1", "countryCode": ` + base["countryCode"] + `, "country": ` + base["country"] + `}},
	"details": {"birthCountryCode": ` + base["birthCountryCode"] + `,
		"contactInfo": {"emailAddress": ` + base["emailAddress"] + `, "phoneNumber": ` + base["phoneNumber"] + `},
		"documentNumber": ` + base["documentNumber"] + `,
		"documentInfo": {"number": ` + base["docNumber"] + `, "type": ` + base["docType"] + `, "issuingCountryCode": ` + base["docCountry"] + `},
		"taxIdentification": {"number": ` + base["taxNumber"] + `, "taxResidenceCountryCode": ` + base["taxCountry"] + `}},
	"title": ` + base["title"] + `, "riskScore": ` + base["riskScore"] + `,
	"controls": {"hasOwnership": true, "hasControl": true, "isSigner": false}}`
}

func validateOne(t *testing.T, entry string) ([]customer.Associate, map[string][]string) {
	t.Helper()
	list := decode[[]customer.AssociateInput](t, "["+entry+"]")
	out, err := customer.ValidateAssociates(list, fixedNow)
	if err != nil {
		return nil, fieldErrors(t, err)
	}
	return out, nil
}

func TestValidateAssociateRules(t *testing.T) {
	const p = "company.associates[0]."
	bad := []struct {
		name, field, raw, path string
	}{
		{"ErrBlankFirstName", "firstName", `"   "`, p + "person.firstName"},
		{"ErrMissingLastName", "lastName", `null`, p + "person.lastName"},
		{"ErrLongFirstName", "firstName", `"` + strings.Repeat("a", 101) + `"`, p + "person.firstName"},
		{"ErrDateFormat", "dateOfBirth", `"31-01-2001"`, p + "person.dateOfBirth"},
		{"ErrDateNotReal", "dateOfBirth", `"2001-02-30"`, p + "person.dateOfBirth"},
		{"ErrDateFuture", "dateOfBirth", `"2030-01-01"`, p + "person.dateOfBirth"},
		{"ErrUnder16", "dateOfBirth", `"2015-01-01"`, p + "person.dateOfBirth"},
		{"ErrCountryLowercase", "countryCode", `"us"`, p + "person.address.countryCode"},
		{"ErrCountryUnknown", "countryCode", `"ZZ"`, p + "person.address.countryCode"},
		{"ErrCountryNameMismatch", "country", `"Germany"`, p + "person.address.country"},
		{"ErrBirthCountry", "birthCountryCode", `"USA"`, p + "details.birthCountryCode"},
		{"ErrEmail", "emailAddress", `"not-an-email"`, p + "details.contactInfo.emailAddress"},
		{"ErrPhoneShort", "phoneNumber", `"12345"`, p + "details.contactInfo.phoneNumber"},
		{"ErrPhoneLetters", "phoneNumber", `"+1 555 CALL NOW"`, p + "details.contactInfo.phoneNumber"},
		{"ErrDocumentType", "docType", `"VISA"`, p + "details.documentInfo.type"},
		{"ErrDocumentCountry", "docCountry", `"XX"`, p + "details.documentInfo.issuingCountryCode"},
		{"ErrDocumentNumberMismatch", "documentNumber", `"999"`, p + "details.documentNumber"},
		{"ErrTaxCountry", "taxCountry", `"U"`, p + "details.taxIdentification.taxResidenceCountryCode"},
		{"ErrRisk", "riskScore", `"EXTREME"`, p + "riskScore"},
		{"ErrTitleTooLong", "title", `"` + strings.Repeat("t", 101) + `"`, p + "title"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := validateOne(t, associateWith(tc.field, tc.raw))
			if len(errs[tc.path]) == 0 {
				t.Fatalf("want an error at %s, got %v", tc.path, errs)
			}
		})
	}

	t.Run("OK_Seed", func(t *testing.T) {
		out, errs := validateOne(t, associateWith("", ""))
		if errs != nil {
			t.Fatal(errs)
		}
		a := out[0]
		if *a.Details.ContactInfo.PhoneNumber != "+123456789" || a.Person.Address.Country != "United States" {
			t.Fatalf("unexpected %+v", a)
		}
	})
	t.Run("OK_PhoneNormalised", func(t *testing.T) {
		out, errs := validateOne(t, associateWith("phoneNumber", `"+48 531 647 525"`))
		if errs != nil || *out[0].Details.ContactInfo.PhoneNumber != "+48531647525" {
			t.Fatalf("got %v %v", errs, out)
		}
	})
	t.Run("OK_DocumentTypeAlias", func(t *testing.T) {
		for _, alias := range []string{`"DRIVER_LICENSE"`, `"DRIVERS"`} {
			out, errs := validateOne(t, associateWith("docType", alias))
			if errs != nil || *out[0].Details.DocumentInfo.Type != "DRIVERS_LICENSE" {
				t.Fatalf("%s: got %v", alias, errs)
			}
		}
	})
	t.Run("OK_EmptyOptionalIsNone", func(t *testing.T) {
		out, errs := validateOne(t, associateWith("title", `""`))
		if errs != nil || out[0].Title != nil {
			t.Fatalf("want nil title, got %v %v", errs, out[0].Title)
		}
	})
	t.Run("OK_EmailKeptAsWritten", func(t *testing.T) {
		out, _ := validateOne(t, associateWith("emailAddress", `"Sean.Bond@Disney.com"`))
		if *out[0].Details.ContactInfo.EmailAddress != "Sean.Bond@Disney.com" {
			t.Fatal("e-mail must be kept as written")
		}
	})
	t.Run("OK_Exactly16", func(t *testing.T) {
		if _, errs := validateOne(t, associateWith("dateOfBirth", `"2010-11-25"`)); errs != nil {
			t.Fatalf("16 today must pass: %v", errs)
		}
	})
	t.Run("ErrDuplicateEmailNamesBoth", func(t *testing.T) {
		a := associateWith("emailAddress", `"x@example.com"`)
		b := strings.Replace(associateWith("emailAddress", `"X@Example.com"`), `"123456789"`, `"555"`, -1)
		list := decode[[]customer.AssociateInput](t, "["+a+","+b+"]")
		_, err := customer.ValidateAssociates(list, fixedNow)
		errs := fieldErrors(t, err)
		for _, path := range []string{"company.associates[0].details.contactInfo.emailAddress", "company.associates[1].details.contactInfo.emailAddress"} {
			if len(errs[path]) == 0 {
				t.Fatalf("want error at %s, got %v", path, errs)
			}
		}
	})
	t.Run("ErrDuplicateDocument", func(t *testing.T) {
		a := associateWith("emailAddress", `"a@example.com"`)
		b := associateWith("emailAddress", `"b@example.com"`)
		list := decode[[]customer.AssociateInput](t, "["+a+","+b+"]")
		_, err := customer.ValidateAssociates(list, fixedNow)
		if errs := fieldErrors(t, err); len(errs["company.associates[1].details.documentInfo.number"]) == 0 {
			t.Fatalf("want duplicate document error, got %v", errs)
		}
	})
}

func TestValidateCreateRules(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c, _, err := customer.ValidateCreate(decode[customer.CreateInput](t, seedInput), fixedNow)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != customer.StatusPending || c.Type != "COMPANY" || c.Company.Address.Country != "United States" {
			t.Fatalf("unexpected %+v", c)
		}
	})
	t.Run("ErrEverythingMissing", func(t *testing.T) {
		_, _, err := customer.ValidateCreate(customer.CreateInput{}, fixedNow)
		errs := fieldErrors(t, err)
		for _, p := range []string{"riskScore", "company.name", "company.registrationNumber", "company.taxResidenceCountryCode", "company.address"} {
			if len(errs[p]) == 0 {
				t.Errorf("want error at %s, got %v", p, errs)
			}
		}
	})
	t.Run("ErrType", func(t *testing.T) {
		in := decode[customer.CreateInput](t, seedInput)
		in.Type = ptr("PERSON")
		_, _, err := customer.ValidateCreate(in, fixedNow)
		if len(fieldErrors(t, err)["type"]) == 0 {
			t.Fatal("want type error")
		}
	})
}

func TestApplyDetails(t *testing.T) {
	cur, _, err := customer.ValidateCreate(decode[customer.CreateInput](t, seedInput), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK_AbsentStays", func(t *testing.T) {
		next, err := customer.ApplyDetails(cur, decode[customer.DetailsUpdate](t, `{"name": "New"}`), fixedNow)
		if err != nil || next.Company.Name != "New" || *next.Company.Description != "Original description" || next.Company.Address.City != "New York" {
			t.Fatalf("got %v %+v", err, next.Company)
		}
	})
	t.Run("OK_NullClearsOptional", func(t *testing.T) {
		next, err := customer.ApplyDetails(cur, decode[customer.DetailsUpdate](t, `{"description": null, "address": {"addressLine2": null}}`), fixedNow)
		if err != nil || next.Company.Description != nil || next.Company.Address.AddressLine2 != nil || next.Company.Address.AddressLine1 != "1 Main St" {
			t.Fatalf("got %v %+v", err, next.Company)
		}
	})
	t.Run("OK_EmptyStringIsNone", func(t *testing.T) {
		next, err := customer.ApplyDetails(cur, decode[customer.DetailsUpdate](t, `{"description": ""}`), fixedNow)
		if err != nil || next.Company.Description != nil {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("OK_CountryDerived", func(t *testing.T) {
		next, err := customer.ApplyDetails(cur, decode[customer.DetailsUpdate](t, `{"address": {"countryCode": "DE"}}`), fixedNow)
		if err != nil || next.Company.Address.Country != "Germany" {
			t.Fatalf("got %v %+v", err, next.Company.Address)
		}
	})
	bad := map[string]struct{ body, path string }{
		"ErrNullName":        {`{"name": null}`, "company.name"},
		"ErrBlankName":       {`{"name": "  "}`, "company.name"},
		"ErrNullAddress":     {`{"address": null}`, "company.address"},
		"ErrNullCity":        {`{"address": {"city": null}}`, "company.address.city"},
		"ErrCountryMismatch": {`{"address": {"countryCode": "US", "country": "France"}}`, "company.address.country"},
		"ErrCountryAlone":    {`{"address": {"country": "France"}}`, "company.address.country"},
		"ErrLowercaseCode":   {`{"address": {"countryCode": "us"}}`, "company.address.countryCode"},
		"ErrLongDescription": {`{"description": "` + strings.Repeat("d", 2001) + `"}`, "company.description"},
		"ErrRisk":            {`{"riskScore": "NONE"}`, "riskScore"},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := customer.ApplyDetails(cur, decode[customer.DetailsUpdate](t, tc.body), fixedNow)
			if errs := fieldErrors(t, err); len(errs[tc.path]) == 0 {
				t.Fatalf("want error at %s, got %v", tc.path, errs)
			}
		})
	}
}

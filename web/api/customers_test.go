package api_test

import (
	"strings"
	"testing"
)

const createBody = `{"riskScore": "MEDIUM", "company": {"name": "Acme Trading Ltd", "taxResidenceCountryCode": "GB",
 "registrationNumber": "0999123", "address": {"addressLine1": "1 High Street", "city": "London", "postalCode": "EC1A 1BB", "countryCode": "GB"},
 "associates": [{"person": {"firstName": "Ada", "lastName": "Lovelace", "dateOfBirth": "1990-12-10"},
   "details": {"contactInfo": {"emailAddress": "ada@example.com", "phoneNumber": "+44 20 7946 0958"},
     "documentInfo": {"number": "P123", "type": "PASSPORT", "issuingCountryCode": "GB"}},
   "controls": {"hasControl": true}}]}}`

func (s *server) create(key string) (string, string) {
	s.t.Helper()
	r := s.do("POST", "/platform/v1/customers", key, createBody)
	if r.status != 201 {
		s.t.Fatalf("create: %d %s", r.status, r.body)
	}
	return r.json(s.t)["reference"].(string), r.header.Get("ETag")
}

func TestAPICreateAndGet(t *testing.T) {
	s := newServer(t)
	ref, etag := s.create("officer")
	t.Run("OK_Get", func(t *testing.T) {
		r := s.do("GET", "/platform/v1/customers/"+ref, "viewer", "")
		m := r.json(t)
		co := m["company"].(map[string]any)
		if r.status != 200 || m["status"] != "PENDING" || m["type"] != "COMPANY" || co["address"].(map[string]any)["country"] != "United Kingdom" {
			t.Fatalf("%d %s", r.status, r.body)
		}
		a := co["associates"].([]any)[0].(map[string]any)
		if a["details"].(map[string]any)["contactInfo"].(map[string]any)["phoneNumber"] != "+442079460958" {
			t.Fatalf("phone not normalised: %s", r.body)
		}
		if r.header.Get("ETag") != etag || m["createdAt"] == nil {
			t.Fatalf("etag %q vs %q", r.header.Get("ETag"), etag)
		}
	})
	t.Run("OK_NotModified", func(t *testing.T) {
		if r := s.do("GET", "/platform/v1/customers/"+ref, "viewer", "", "If-None-Match", etag); r.status != 304 {
			t.Fatalf("want 304, got %d", r.status)
		}
	})
	t.Run("ErrUnknownReference", func(t *testing.T) {
		wantError(t, s.do("GET", "/platform/v1/customers/00000000-0000-0000-0000-000000000000", "viewer", ""), 404, "not_found")
		wantError(t, s.do("GET", "/platform/v1/customers/not-a-uuid", "viewer", ""), 404, "not_found")
	})
	t.Run("ErrNoKey", func(t *testing.T) {
		r := s.do("GET", "/platform/v1/customers/"+ref, "", "")
		wantError(t, r, 401, "unauthorized")
		if !strings.Contains(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatal("401 must say how to authenticate")
		}
	})
	t.Run("ErrBadKey", func(t *testing.T) {
		s.keys["bogus"] = "vk_notakey"
		wantError(t, s.do("GET", "/platform/v1/customers/"+ref, "bogus", ""), 401, "unauthorized")
	})
	t.Run("ErrViewerCannotCreate", func(t *testing.T) {
		wantError(t, s.do("POST", "/platform/v1/customers", "viewer", createBody), 403, "forbidden")
	})
	t.Run("ErrValidationNamesField", func(t *testing.T) {
		body := strings.Replace(createBody, "ada@example.com", "ada-at-example", 1)
		wantError(t, s.do("POST", "/platform/v1/customers", "officer", body), 400, "validation_failed",
			"company.associates[0].details.contactInfo.emailAddress")
	})
}

func TestAPIStrictJSON(t *testing.T) {
	s := newServer(t)
	ref, _ := s.create("officer")
	path := "/platform/v1/customers/" + ref
	t.Run("ErrUnknownNestedField", func(t *testing.T) {
		wantError(t, s.do("PUT", path, "officer", `{"address": {"cityy": "Paris"}}`), 400, "validation_failed", "company.address.cityy")
	})
	t.Run("ErrUnknownTopField", func(t *testing.T) {
		wantError(t, s.do("PUT", path, "officer", `{"nmae": "x"}`), 400, "validation_failed", "company.nmae")
	})
	t.Run("ErrTrailingGarbage", func(t *testing.T) {
		wantError(t, s.do("PUT", path, "officer", `{"name": "x"} {"name": "y"}`), 400, "malformed_json")
	})
	t.Run("ErrWrongType", func(t *testing.T) {
		wantError(t, s.do("PUT", path, "officer", `{"name": 42}`), 400, "validation_failed", "company.name")
	})
	t.Run("ErrSyntax", func(t *testing.T) {
		wantError(t, s.do("PUT", path, "officer", `{"name": `), 400, "malformed_json")
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		r := s.do("PUT", path, "officer", "", "Content-Type", "application/json")
		wantError(t, r, 400, "malformed_json")
	})
	t.Run("ErrContentType", func(t *testing.T) {
		wantError(t, s.do("PUT", path, "officer", `{"name": "x"}`, "Content-Type", "text/plain"), 415, "unsupported_media_type")
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		big := `{"description": "` + strings.Repeat("x", 1<<20) + `"}`
		wantError(t, s.do("PUT", path, "officer", big), 413, "body_too_large")
	})
	t.Run("OK_NothingChanged", func(t *testing.T) {
		m := s.do("GET", path, "viewer", "").json(t)
		if m["company"].(map[string]any)["name"] != "Acme Trading Ltd" {
			t.Fatal("a refused request changed the customer")
		}
	})
}

func TestAPIIfMatchAndPatch(t *testing.T) {
	s := newServer(t)
	ref, etag := s.create("officer")
	path := "/platform/v1/customers/" + ref
	r := s.do("PATCH", path, "officer", `{"description": "first"}`, "If-Match", etag)
	if r.status != 200 || r.header.Get("ETag") == etag {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	m := wantError(t, s.do("PUT", path, "officer", `{"description": "second"}`, "If-Match", etag), 412, "version_mismatch")
	if m["details"].(map[string]any)["changedBy"] != "API key officer" {
		t.Fatalf("412 must say who changed it: %v", m)
	}
	wantError(t, s.do("PUT", path, "officer", `{"description": "x"}`, "If-Match", `"garbage"`), 412, "version_mismatch")
	if got := s.do("GET", path, "viewer", "").json(t)["company"].(map[string]any)["description"]; got != "first" {
		t.Fatalf("stale write landed: %v", got)
	}
	if r := s.do("PUT", path, "officer", `{"description": null}`); r.status != 200 || r.json(t)["company"].(map[string]any)["description"] != nil {
		t.Fatalf("null must clear: %s", r.body)
	}
}

func TestAPIIdempotency(t *testing.T) {
	s := newServer(t)
	first := s.do("POST", "/platform/v1/customers", "officer", createBody, "Idempotency-Key", "abc")
	again := s.do("POST", "/platform/v1/customers", "officer", createBody, "X-Idempotency-Key", "abc")
	if first.status != 201 || again.status != 201 || string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %d\n%s\n%s", first.status, again.status, first.body, again.body)
	}
	other := strings.Replace(createBody, "Acme Trading Ltd", "Other Ltd", 1)
	wantError(t, s.do("POST", "/platform/v1/customers", "officer", other, "Idempotency-Key", "abc"), 409, "idempotency_key_reused")
}

func TestAPIStatusAndFourEyes(t *testing.T) {
	s := newServer(t)
	ref, _ := s.create("admin")
	path := "/platform/v1/customers/" + ref + "/status"
	wantError(t, s.do("PUT", path, "admin", `{"status": "VERIFIED"}`), 409, "four_eyes")
	wantError(t, s.do("PUT", path, "officer", `{"status": "VERIFIED"}`), 403, "forbidden")
	wantError(t, s.do("PUT", path, "admin2", `{"status": "APPROVED"}`), 400, "validation_failed", "status")
	if r := s.do("PUT", path, "admin2", `{"status": "VERIFIED", "reason": "All checks passed"}`); r.status != 200 || r.json(t)["status"] != "VERIFIED" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := s.do("PUT", path, "admin2", `{"status": "VERIFIED"}`); r.status != 200 {
		t.Fatalf("same → same must be 200: %d", r.status)
	}
	wantError(t, s.do("PUT", path, "viewer", `{"status": "PENDING"}`), 403, "forbidden")
	if r := s.do("PUT", path, "officer", `{"status": "PENDING", "reason": "New evidence"}`); r.status != 200 {
		t.Fatalf("officer reopen: %d %s", r.status, r.body)
	}
	h := s.do("GET", "/platform/v1/customers/"+ref+"/history", "viewer", "").json(t)
	content := h["content"].([]any)
	newest := content[0].(map[string]any)
	if newest["action"] != "customer.status" || newest["reason"] != "New evidence" || newest["actorName"] != "officer" || newest["actorType"] != "apikey" {
		t.Fatalf("history newest %v", newest)
	}
	if len(content) != 3 || content[2].(map[string]any)["action"] != "customer.create" {
		t.Fatalf("history %v", content)
	}
}

func TestAPIList(t *testing.T) {
	s := newServer(t)
	for i := 0; i < 3; i++ {
		s.create("officer")
	}
	r := s.do("GET", "/platform/v1/customers?status=PENDING&size=2&page=0&q=acme", "viewer", "")
	m := r.json(t)
	if r.status != 200 || m["totalElements"] != float64(3) || m["totalPages"] != float64(2) || m["hasNext"] != true || m["totalExact"] != true || len(m["content"].([]any)) != 2 || m["size"] != float64(2) {
		t.Fatalf("%s", r.body)
	}
	wantError(t, s.do("GET", "/platform/v1/customers?status=DONE&size=500", "viewer", ""), 400, "validation_failed", "status")
	wantError(t, s.do("GET", "/platform/v1/customers?size=500", "viewer", ""), 400, "validation_failed", "size")
	wantError(t, s.do("GET", "/platform/v1/customers?page=x", "viewer", ""), 400, "validation_failed", "page")
}

func TestAPIAssociates(t *testing.T) {
	s := newServer(t)
	ref, _ := s.create("officer")
	path := "/platform/v1/customers/" + ref + "/associates"
	body := `{"associates": [{"person": {"firstName": "A", "lastName": "B"}, "details": {"contactInfo": {"emailAddress": "same@example.com"}}},
	  {"person": {"firstName": "C", "lastName": "D"}, "details": {"contactInfo": {"emailAddress": "SAME@example.com"}}}]}`
	wantError(t, s.do("PUT", path, "officer", body), 400, "validation_failed",
		"company.associates[0].details.contactInfo.emailAddress", "company.associates[1].details.contactInfo.emailAddress")
	wantError(t, s.do("PUT", path, "officer", `{"associates": [{"person": {"firstName": "A", "lastName": "B", "middleName": "X"}}]}`), 400,
		"validation_failed", "company.associates[0].person.middleName")
	if r := s.do("PUT", path, "officer", `{"associates": []}`); r.status != 200 || len(r.json(t)["company"].(map[string]any)["associates"].([]any)) != 0 {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestHealth(t *testing.T) {
	s := newServer(t)
	if r := s.do("GET", "/healthz", "", ""); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := s.do("GET", "/readyz", "", ""); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := s.do("GET", "/platform/v1/nope", "viewer", ""); r.status != 404 || r.json(t)["code"] != "not_found" {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

// TestAPIGetKeepsCustomersByVersion: the API's GET answers from the
// version-keyed cache — a change by hand in SQL, which keeps the version, is
// not seen, and the answer and its ETag are the first read's byte for byte —
// while a change through the API shows at once.
func TestAPIGetKeepsCustomersByVersion(t *testing.T) {
	s := newServer(t)
	ref, etag := s.create("officer")
	path := "/platform/v1/customers/" + ref
	first := s.do("GET", path, "viewer", "")
	if _, err := s.db.Exec(`UPDATE customers SET name = 'Renamed by hand' WHERE reference = $1`, ref); err != nil {
		t.Fatal(err)
	}
	if r := s.do("GET", path, "viewer", ""); string(r.body) != string(first.body) || r.header.Get("ETag") != first.header.Get("ETag") {
		t.Fatalf("the customer was read again for the same version: %s", r.body)
	}
	if r := s.do("PATCH", path, "officer", `{"description": "first"}`, "If-Match", etag); r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	r := s.do("GET", path, "viewer", "")
	co := r.json(t)["company"].(map[string]any)
	if co["description"] != "first" || co["name"] != "Renamed by hand" || r.header.Get("ETag") == etag {
		t.Fatalf("after a change: %s %s", r.header.Get("ETag"), r.body)
	}
}

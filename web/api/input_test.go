package api_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// TestAPIRefusesWhatJSONWouldRepair: bytes and keys that encoding/json
// silently accepts or repairs are a 400 naming the field, on every endpoint.
func TestAPIRefusesWhatJSONWouldRepair(t *testing.T) {
	s := newServer(t)
	ref, _ := s.create("officer")
	cu := "/platform/v1/customers/" + ref
	for _, tc := range []struct {
		name, method, path, body, field string
	}{
		{"ErrInvalidUTF8Details", "PUT", cu, "{\"name\": \"Acme \xff Ltd\"}", "company.name"},
		{"ErrInvalidUTF8Create", "POST", "/platform/v1/customers", strings.Replace(createBody, "Lovelace", "Love\xc3\x28lace", 1),
			"company.associates[0].person.lastName"},
		{"ErrLoneSurrogateDetails", "PATCH", cu, `{"description": "\ud800"}`, "company.description"},
		{"ErrLoneSurrogateStatus", "PUT", cu + "/status", `{"status": "PENDING", "reason": "x\udfff"}`, "reason"},
		{"ErrLoneSurrogateAssociates", "PUT", cu + "/associates", `{"associates": [{"person": {"firstName": "\udc00", "lastName": "B"}}]}`,
			"company.associates[0].person.firstName"},
		{"ErrDuplicateKeyTop", "PUT", cu, `{"name": "a", "name": "b"}`, "company.name"},
		{"ErrDuplicateKeyDeep", "PUT", cu + "/associates",
			`{"associates": [{"person": {"firstName": "A", "lastName": "B"}, "controls": {"isSigner": true, "isSigner": false}}]}`,
			"company.associates[0].controls.isSigner"},
		{"ErrDuplicateKeyStatus", "PUT", cu + "/status", `{"status": "VERIFIED", "status": "PENDING"}`, "status"},
		{"ErrDuplicateKeyCreate", "POST", "/platform/v1/customers", strings.Replace(createBody, `"riskScore": "MEDIUM"`, `"riskScore": "MEDIUM", "riskScore": "LOW"`, 1), "riskScore"},
		{"ErrUnknownInVerification", "PUT", cu + "/associates",
			`{"associates": [{"person": {"firstName": "A", "lastName": "B"}, "verification": {"url": "https://x", "statuss": "pending"}}]}`,
			"company.associates[0].verification.statuss"},
		{"ErrUnknownPathDetails", "PUT", cu, `{"address": {"postCode": "1"}}`, "company.address.postCode"},
		{"ErrUnknownPathAssociates", "PUT", cu + "/associates",
			`{"associates": [{"person": {"firstName": "A", "lastName": "B"}, "details": {"contactInfo": {"faxNumbr": "1"}}}]}`,
			"company.associates[0].details.contactInfo.faxNumbr"},
		{"ErrUnknownPathCreate", "POST", "/platform/v1/customers", strings.Replace(createBody, `"controls"`, `"control": {}, "controls"`, 1),
			"company.associates[0].control"},
		{"ErrUnknownPathStatus", "PUT", cu + "/status", `{"status": "PENDING", "comment": "x"}`, "comment"},
		{"ErrInvisibleNameDetails", "PUT", cu, `{"name": "\u200b\u200c\u200d\ufeff\u2060\u00ad"}`, "company.name"},
		{"ErrInvisibleNameAssociates", "PUT", cu + "/associates", `{"associates": [{"person": {"firstName": "\u200b", "lastName": "B"}}]}`,
			"company.associates[0].person.firstName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.do(tc.method, tc.path, "officer", tc.body), 400, "validation_failed", tc.field)
		})
	}
	t.Run("OK_NothingChanged", func(t *testing.T) {
		m := s.do("GET", cu, "viewer", "").json(t)
		if m["company"].(map[string]any)["name"] != "Acme Trading Ltd" || m["status"] != "PENDING" {
			t.Fatalf("a refused request changed the customer: %v", m)
		}
		if got := len(m["company"].(map[string]any)["associates"].([]any)); got != 1 {
			t.Fatalf("associates changed: %d", got)
		}
	})
	t.Run("OK_VerificationSentBackUnchanged", func(t *testing.T) {
		m := s.do("GET", cu, "viewer", "").json(t)
		list, _ := json.Marshal(map[string]any{"associates": m["company"].(map[string]any)["associates"]})
		if r := s.do("PUT", cu+"/associates", "officer", string(list)); r.status != 200 {
			t.Fatalf("a GET body's associates must round-trip: %d %s", r.status, r.body)
		}
	})
}

// TestAPILineBreaks: a multi-line description and reason are accepted,
// stored with \n and returned so.
func TestAPILineBreaks(t *testing.T) {
	s := newServer(t)
	ref, _ := s.create("officer")
	cu := "/platform/v1/customers/" + ref
	r := s.do("PATCH", cu, "officer", `{"description": "Holding company.\r\nTrading arm in London.\nThird line."}`)
	if r.status != 200 {
		t.Fatalf("multi-line description: %d %s", r.status, r.body)
	}
	if got := r.json(t)["company"].(map[string]any)["description"]; got != "Holding company.\nTrading arm in London.\nThird line." {
		t.Fatalf("description %q", got)
	}
	wantError(t, s.do("PATCH", cu, "officer", `{"description": "tab\there"}`), 400, "validation_failed", "company.description")
	wantError(t, s.do("PATCH", cu, "officer", `{"name": "Acme\nLtd"}`), 400, "validation_failed", "company.name")

	if r := s.do("PUT", cu+"/status", "admin", `{"status": "REJECTED", "reason": "Documents expired.\r\nAsk for new ones."}`); r.status != 200 {
		t.Fatalf("multi-line reason: %d %s", r.status, r.body)
	}
	h := s.do("GET", cu+"/history?size=1", "viewer", "").json(t)
	if got := h["content"].([]any)[0].(map[string]any)["reason"]; got != "Documents expired.\nAsk for new ones." {
		t.Fatalf("reason %q", got)
	}
	wantError(t, s.do("PUT", cu+"/status", "officer", `{"status": "PENDING", "reason": "x\u0007"}`), 400, "validation_failed", "reason")
}

// TestAPIIdempotencyByMeaning: the same JSON re-indented or reordered is a
// replay; another value under the same key is 409.
func TestAPIIdempotencyByMeaning(t *testing.T) {
	s := newServer(t)
	post := func(body string) response {
		return s.do("POST", "/platform/v1/customers", "officer", body, "Idempotency-Key", "meaning-1")
	}
	first := post(createBody)
	if first.status != 201 {
		t.Fatalf("%d %s", first.status, first.body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(createBody), &m); err != nil {
		t.Fatal(err)
	}
	var indented bytes.Buffer
	enc := json.NewEncoder(&indented)
	enc.SetIndent("", "    ") // and keys sorted: reordered as well as re-indented
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	again := post(indented.String())
	if again.status != 201 || again.header.Get("Idempotent-Replayed") != "true" ||
		again.json(t)["reference"] != first.json(t)["reference"] {
		t.Fatalf("re-indented retry: %d %v %s", again.status, again.header, again.body)
	}
	wantError(t, post(strings.Replace(createBody, "MEDIUM", "HIGH", 1)), 409, "idempotency_key_reused")
}

// TestAPIHistoryEmptyPage: a page past the last entry is "content": [].
func TestAPIHistoryEmptyPage(t *testing.T) {
	s := newServer(t)
	ref, _ := s.create("officer")
	h := s.do("GET", "/platform/v1/customers/"+ref+"/history", "viewer", "").json(t)
	last := h["content"].([]any)[0].(map[string]any)["id"].(float64)
	r := s.do("GET", "/platform/v1/customers/"+ref+"/history?before="+strconv.FormatInt(int64(last), 10), "viewer", "")
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"content":[]`)) {
		t.Fatalf("empty page: %d %s", r.status, r.body)
	}
}

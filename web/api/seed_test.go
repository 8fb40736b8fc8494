package api_test

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
)

// The seed page's customer as it stood before its three requests.
const seedCustomerLine = `{"reference": "8a0e1da2-2af3-4b9e-a221-e74db4e01b06", "status": "PENDING", "type": "COMPANY", "riskScore": "LOW",
 "company": {"name": "Original Company Name", "description": "Original description", "taxResidenceCountryCode": "US",
  "registrationNumber": "21-4532998",
  "address": {"addressLine1": "1 Original Way", "addressLine2": null, "city": "Boston", "postalCode": "02108", "countryCode": "US", "country": "United States"},
  "associates": [{
   "person": {"reference": "911685b0-acaa-418d-bd91-ed80b96c62cf", "firstName": "Sean", "lastName": "Bond", "dateOfBirth": "2001-01-31",
     "address": {"addressLine1": "101 West Broadway", "addressLine2": "Suite 1975", "city": "San Diego", "postalCode": "92101", "countryCode": "US", "country": "United States"}},
   "details": {"birthCountryCode": "US", "contactInfo": {"emailAddress": "Sean.Bond@disney.com", "phoneNumber": "+123456789"},
     "documentNumber": "123456789", "documentInfo": {"number": "123456789", "type": "DRIVERS_LICENSE", "issuingCountryCode": "US"},
     "taxIdentification": {"number": "914764628", "taxResidenceCountryCode": "US"}},
   "title": "CEO", "riskScore": "LOW", "controls": {"hasOwnership": true, "hasControl": true, "isSigner": false},
   "verification": {"url": "https://verify.com/2", "status": "infoRequired"}}],
  "verification": {"url": "https://verify.com/1", "status": "infoRequired"}}}`

func readSeed(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/seed/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// subset reports the first path where want is not contained in got.
func subset(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path
		}
		for k, v := range w {
			if p := subset(path+"."+k, v, g[k]); p != "" {
				return p
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path
		}
		for i := range w {
			if p := subset(path+"["+string(rune('0'+i))+"]", w[i], g[i]); p != "" {
				return p
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return path
	}
	return ""
}

// TestSeedExamplesHoldWordForWord replays the seed page: each of its three
// requests must answer with exactly its documented response (our responses
// add createdAt and updatedAt, which the contract allows).
func TestSeedExamplesHoldWordForWord(t *testing.T) {
	s := newServer(t)
	res, err := s.svc.Import(context.Background(), access.System("seed"), strings.NewReader(compact(t, seedCustomerLine)), func(le customer.LineError) { t.Fatal(le) })
	if err != nil || res.Imported != 1 {
		t.Fatalf("import: %v %+v", err, res)
	}
	path := "/platform/v1/customers/8a0e1da2-2af3-4b9e-a221-e74db4e01b06"
	steps := []struct{ name, method, path, key string }{
		{"details", "PUT", path, "officer"},
		{"status", "PUT", path + "/status", "admin"},
		{"associates", "PUT", path + "/associates", "officer"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			r := s.do(st.method, st.path, st.key, readSeed(t, st.name+"_request"))
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			var want, got any
			_ = json.Unmarshal([]byte(readSeed(t, st.name+"_response")), &want)
			_ = json.Unmarshal(r.body, &got)
			if p := subset("", want, got); p != "" {
				t.Fatalf("response differs from the seed at %s:\n%s", p, r.body)
			}
			if r.header.Get("ETag") == "" {
				t.Fatal("no ETag")
			}
		})
	}
}

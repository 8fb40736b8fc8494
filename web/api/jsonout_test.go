package api_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// TestAPICustomerJSONIsEncodingJSON: GET one and the list page, written by
// the hand-written encoder, are byte for byte what encoding/json writes for
// the same response (asked for with ?pretty, which still goes through it,
// then compacted), with an exact Content-Length.
func TestAPICustomerJSONIsEncodingJSON(t *testing.T) {
	s := newServer(t)
	ref, _ := s.create("officer")
	body := strings.Replace(createBody, `"Acme Trading Ltd"`, `"Smith & Sons <UK> \"Ltd\""`, 1)
	body = strings.Replace(body, `"taxResidenceCountryCode": "GB",`, `"taxResidenceCountryCode": "GB", "description": "Müller — 東京 & <b>",`, 1)
	if r := s.do("POST", "/platform/v1/customers", "officer", body); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	for _, path := range []string{"/platform/v1/customers/" + ref, "/platform/v1/customers", "/platform/v1/customers?size=1",
		"/platform/v1/customers?status=VERIFIED"} {
		fast := s.do("GET", path, "viewer", "")
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		slow := s.do("GET", path+sep+"pretty", "viewer", "")
		if fast.status != 200 || slow.status != 200 {
			t.Fatalf("%s: %d / %d %s", path, fast.status, slow.status, fast.body)
		}
		var want bytes.Buffer
		if err := json.Compact(&want, slow.body); err != nil {
			t.Fatal(err)
		}
		want.WriteByte('\n')
		if !bytes.Equal(fast.body, want.Bytes()) {
			t.Fatalf("%s differs from encoding/json:\n got %s\nwant %s", path, fast.body, want.Bytes())
		}
		if fast.header.Get("Content-Length") != strconv.Itoa(len(fast.body)) || fast.header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: headers %v", path, fast.header)
		}
		if !bytes.Contains(slow.body, []byte("\n  ")) {
			t.Fatalf("%s?pretty is not indented: %s", path, slow.body)
		}
	}
}

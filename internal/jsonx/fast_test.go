package jsonx_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/jsonx"
	"github.com/verity-kyb/verity/internal/seed"
)

// fastBodies are plain bodies with every feature the one-pass decoder reads:
// escapes of each kind, a surrogate pair, multi-byte text, nulls, empty and
// nested arrays kept raw, times, whitespace between tokens.
var fastBodies = []string{
	`{"reference": null, "status": "PENDING", "createdAt": "2026-01-02T03:04:05.123456789+02:00", "updatedAt": null,
  "assignee": {"id": "x", "n": [true, false, null, {"a": []}]}, "reviewRequired": true, "requiredActions": [],
  "type": "COMPANY", "riskScore": "LOW", "company": {"name": "Q\"uote\\ \/ \b\f\n\r\t \u00e9\u4eac \ud83d\ude00 Zoë 東京",
  "description": null, "address": null, "associates": [], "verification": null}}`,
	` { "company" : { "associates" : [ { "person" : { "firstName" : "A" , "address" : null } , "controls" : { "isSigner" : true , "hasControl" : false } , "riskScore" : null } , { } ] } } `,
	`{"company": {"associates": null}, "statusSince": "2026-11-23T18:41:47Z", "reviewRequired": "maybe"}`,
}

// Plain import lines — the ones `verity import` reads by the hundred
// thousand — are decoded in one pass, into exactly what encoding/json makes
// of them.
func TestFastDecodeReadsImportLines(t *testing.T) {
	var gen bytes.Buffer
	if err := seed.Generate(&gen, 5, 300); err != nil {
		t.Fatal(err)
	}
	line, err := os.ReadFile("testdata/import-line.json")
	if err != nil {
		t.Fatal(err)
	}
	bodies := append(strings.Split(strings.TrimSpace(gen.String()), "\n"), string(line))
	bodies = append(bodies, fastBodies...)
	for _, body := range bodies {
		var got, want customer.ImportRecord
		if !jsonx.FastDecode([]byte(body), &got) {
			t.Fatalf("not decoded in one pass: %s", body)
		}
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\ndecoded  %+v\nwant     %+v", body, got, want)
		}
		var viaDecode customer.ImportRecord
		if err := jsonx.Decode([]byte(body), &viaDecode); err != nil && !strings.Contains(body, "maybe") {
			t.Fatalf("%s: %v", body, err)
		}
	}
}

// What the one-pass decoder does not read exactly as encoding/json does is
// left to encoding/json: it answers false.
func TestFastDecodeLeavesTheRest(t *testing.T) {
	for _, body := range []string{
		`{"company": {"name": 1}}`,                // a number
		`{"company": {"nam\u0065": "x"}}`,         // an escaped key
		`{"Company": {}}`,                         // a key of another case
		`{"company": {"city": "x"}}`,              // an unknown key
		`{"company": {"name": "\ud800"}}`,         // an unpaired surrogate
		"{\"company\": {\"name\": \"\xff\"}}",     // invalid UTF-8
		"{\"company\": {\"name\": \"a\tb\"}}",     // a raw control character
		`{"company": {"name": "x"}} {}`,           // trailing data
		`{"company": {"name": "x",}}`,             // a trailing comma
		`{"createdAt": "yesterday"}`,              // a time encoding/json refuses
		`{"company": {"associates": {}}}`,         // the wrong type
		`{"assignee": [1]}`,                       // a number in a raw value
		`{"company": {"name": "x"}`,               // cut short
		`{"company": {"name": "\x"}}`,             // a bad escape
		`{"reviewRequired": tru}`,                 // a bad literal
		`{"company": {"name": "x"}, "type": nul}`, // a bad null
		`{"type": "A", "type": "B"}`,              // a repeated key
		`{"assignee": {"a": "x", "a": "y"}}`,      // a repeated key in a raw value
		`{"assignee": {"\u0061": "x", "a": "y"}}`, // an escaped key in a raw value
	} {
		var rec customer.ImportRecord
		if jsonx.FastDecode([]byte(body), &rec) {
			t.Errorf("decoded in one pass: %s", body)
		}
	}
}

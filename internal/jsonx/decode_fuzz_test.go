package jsonx_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/jsonx"
)

// addSeeds adds the seed page's examples (web/api/testdata/seed) and bodies
// that reach each refusal: the fuzzer starts from real requests.
func addSeeds(f *testing.F) {
	files, err := filepath.Glob("../../web/api/testdata/seed/*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed examples: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"riskScore": "LOW", "company": {"name": "Acme", "associates": [{"person": {"firstName": "A"}, "verification": {"url": "u", "status": "s"}}]}}`,
		`{"name": "x", "description": null, "address": {"city": "Paris", "addressLine2": null}}`,
		`{"status": "REJECTED", "reason": "line one\r\nline two"}`,
		`{"associates": [{"controls": {"isSigner": true}}, {}]}`,
		`{"name": "a", "name": "b"}`,
		`{"name": "\ud800"}`,
		`{"name": "\ud83d\ude00", "n\u0061me": 1}`,
		"{\"name\": \"\xff\"}",
		`{"address": {"cityy": 1}, "riskScore": [true]}`,
		`{"company": {"associates": {"0": {}}}}`,
		`[]`, `null`, `{`, `{} {}`, ` `,
	} {
		f.Add([]byte(s))
	}
}

// FuzzDecode: decoding any body into the real request types never panics,
// refuses only with the two documented codes and field paths, and accepts
// only valid UTF-8 that encoding/json reads the same way.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, into := range []func() any{
			func() any { return &customer.CreateInput{} },
			func() any { return &customer.DetailsUpdate{} },
			func() any { return &customer.AssociatesInput{} },
			func() any { return &customer.StatusChange{} },
			func() any { return &customer.ImportRecord{} },
		} {
			v := into()
			err := jsonx.Decode(body, v)
			if err == nil {
				if !utf8.Valid(body) {
					t.Fatalf("%T accepted invalid UTF-8: %q", v, body)
				}
				if err := json.Unmarshal(body, into()); err != nil {
					t.Fatalf("%T accepted what encoding/json refuses (%v): %q", v, err, body)
				}
				continue
			}
			var e *apperr.Error
			if !errors.As(err, &e) || e.Kind != apperr.KindInvalid {
				t.Fatalf("%T: %v is not an invalid-request error", v, err)
			}
			switch e.Code {
			case "malformed_json":
			case "validation_failed":
				if len(e.Fields) == 0 {
					t.Fatalf("%T: validation_failed without fields: %q", v, body)
				}
				for path, msgs := range e.Fields {
					if path == "" || len(msgs) == 0 {
						t.Fatalf("%T: field error %q %v for %q", v, path, msgs, body)
					}
				}
			default:
				t.Fatalf("%T: code %s", v, e.Code)
			}
		}
	})
}

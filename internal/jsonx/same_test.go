package jsonx_test

import (
	"reflect"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/jsonx"
)

// FuzzDecodeAsBefore: Decode refuses every body with the same error, and
// decodes every body it accepts into the same value, as DecodeBefore.
func FuzzDecodeAsBefore(f *testing.F) {
	addSeeds(f)
	f.Add([]byte(`{"reference": "x", "status": 3, "createdAt": "yesterday", "company": {"associates": [{"person": {"firstName": 1}}]}}`))
	f.Add([]byte(`{"riskScore": "LOW"} x`))
	f.Add([]byte(`{"riskScore": "LOW", "Company": {}}`))
	f.Add([]byte(`{"type": "A", "company": {"name": "x", "name": "y"}, "assignee": {"a": "x", "a": "y"}}`))
	for _, b := range fastBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, into := range []func() any{
			func() any { return &customer.CreateInput{} },
			func() any { return &customer.DetailsUpdate{} },
			func() any { return &customer.AssociatesInput{} },
			func() any { return &customer.StatusChange{} },
			func() any { return &customer.ImportRecord{} },
		} {
			got, want := into(), into()
			err, wantErr := jsonx.Decode(body, got), jsonx.DecodeBefore(body, want)
			if !reflect.DeepEqual(err, wantErr) {
				t.Fatalf("%T %q: got %v, want %v", got, body, err, wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("%T %q: decoded %+v, want %+v", got, body, got, want)
			}
		}
	})
}

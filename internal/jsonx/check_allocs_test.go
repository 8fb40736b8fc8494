package jsonx_test

import (
	"os"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/jsonx"
)

// TestChecksOfAValidBodyBuildNoPaths: the checks name a field's path only
// when they refuse it, so a valid import line (a customer with associates,
// ~60 keys) costs them no allocation per key or array element — `verity
// import` runs them on every line.
func TestChecksOfAValidBodyBuildNoPaths(t *testing.T) {
	body, err := os.ReadFile("testdata/import-line.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec customer.ImportRecord
	if errs := jsonx.Check(body, &rec); len(errs) > 0 {
		t.Fatalf("a valid line was refused: %v", errs)
	}
	allocs := testing.AllocsPerRun(20, func() { jsonx.Check(body, &rec) })
	if allocs > 3 {
		t.Errorf("the checks of a valid line allocated %.0f times, want at most 3 (the refusals' map)", allocs)
	}
	// A refusal still names its full path.
	bad := []byte(`{"company": {"associates": [{}, {"person": {"firstNme": "A"}}]}}`)
	errs := jsonx.Check(bad, &rec)
	if _, ok := errs["company.associates[1].person.firstNme"]; !ok || len(errs) != 1 {
		t.Errorf("refusals = %v, want company.associates[1].person.firstNme alone", errs)
	}
}

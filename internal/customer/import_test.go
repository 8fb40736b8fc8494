package customer_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
)

// importLine is seedInput as one JSON line with the given extra fields
// (such as `"reference": "…", "status": "VERIFIED"`) in front.
func importLine(fields string) string {
	body := strings.ReplaceAll(seedInput, "\n", " ")
	if fields == "" {
		return body
	}
	return "{" + fields + "," + strings.TrimPrefix(body, "{")
}

const importRef = "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"

// importLines runs ImportWith over lines and returns the result and the
// refused line numbers in the order they were reported.
func (e *env) importLines(opts customer.ImportOptions, lines ...string) (customer.ImportResult, []int, []string) {
	e.t.Helper()
	var nums []int
	var msgs []string
	res, err := e.svc.ImportWith(e.ctx, access.System("import"), strings.NewReader(strings.Join(lines, "\n")+"\n"), opts,
		func(le customer.LineError) {
			nums = append(nums, le.Line)
			msgs = append(msgs, le.Error())
		})
	if err != nil {
		e.t.Fatal(err)
	}
	return res, nums, msgs
}

// Refused lines come out in line order, whether the line failed to parse
// (found at once) or in the database (found when its batch is written).
func TestImportRefusedInLineOrder(t *testing.T) {
	e := newEnv(t)
	ref := fmt.Sprintf(`"reference": %q`, importRef)
	var seen []int
	res, nums, _ := e.importLines(customer.ImportOptions{Lines: func(n int) { seen = append(seen, n) }},
		importLine(ref),
		importLine(ref), // the same reference again: refused by the database
		`{"not json`,
		importLine(""),
		`{"riskScore": "LOW"}`,
	)
	if res.Imported != 2 || res.Failed != 3 || res.Skipped != 0 {
		t.Fatalf("result %+v, want 2 imported, 3 refused", res)
	}
	if fmt.Sprint(nums) != "[2 3 5]" {
		t.Fatalf("refused lines reported as %v, want [2 3 5]", nums)
	}
	if fmt.Sprint(seen) != "[1 2 3 4 5]" {
		t.Fatalf("progress saw lines %v, want 1 to 5", seen)
	}
}

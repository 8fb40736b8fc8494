package customer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

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

// --on-conflict: a reference already stored is refused (fail, the default),
// left as stored and counted (skip), or applied as PUT details and PUT
// associates would, with their rules and an audit entry (update).
func TestImportOnConflict(t *testing.T) {
	e := newEnv(t)
	ref := fmt.Sprintf(`"reference": %q`, importRef)
	if res, nums, _ := e.importLines(customer.ImportOptions{}, importLine(ref)); res.Imported != 1 || len(nums) != 0 {
		t.Fatalf("first import %+v, refused %v", res, nums)
	}
	stored := e.get(&customer.Customer{Reference: uuid.MustParse(importRef)})
	renamed := strings.Replace(importLine(ref), `"Bond Holdings"`, `"Bond Holdings Renamed"`, 1)

	t.Run("Fail", func(t *testing.T) {
		res, nums, msgs := e.importLines(customer.ImportOptions{OnConflict: customer.ConflictFail}, renamed)
		if res.Failed != 1 || fmt.Sprint(nums) != "[1]" || !strings.Contains(msgs[0], "already exists") {
			t.Fatalf("%+v %v", res, msgs)
		}
	})
	t.Run("Skip", func(t *testing.T) {
		res, nums, _ := e.importLines(customer.ImportOptions{OnConflict: customer.ConflictSkip}, renamed, importLine(""))
		if res.Skipped != 1 || res.Imported != 1 || len(nums) != 0 {
			t.Fatalf("result %+v, refused %v; want 1 skipped, 1 imported", res, nums)
		}
		if got := e.get(stored); got.Company.Name != "Bond Holdings" || got.Version != stored.Version {
			t.Fatalf("skip changed the stored customer: %q v%v", got.Company.Name, got.Version)
		}
	})
	t.Run("Update", func(t *testing.T) {
		res, nums, msgs := e.importLines(customer.ImportOptions{OnConflict: customer.ConflictUpdate}, renamed)
		if res.Updated != 1 || res.Imported != 0 || len(nums) != 0 {
			t.Fatalf("result %+v, refused %v", res, msgs)
		}
		got := e.get(stored)
		if got.Company.Name != "Bond Holdings Renamed" {
			t.Fatalf("name %q, want the line's", got.Company.Name)
		}
		if got.Company.Associates[0].Person.Reference != stored.Company.Associates[0].Person.Reference {
			t.Fatal("the associate was not matched: its reference changed")
		}
		if got.LastEditor == nil || *got.LastEditor != access.System("import").Principal() {
			t.Fatalf("last editor %v, want the importer (four-eyes)", got.LastEditor)
		}
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.update' AND reason = $1`, customer.ImportUpdatedReason); n != 1 {
			t.Fatalf("%d update entries with the import reason, want 1", n)
		}
	})
	t.Run("UpdateRefused", func(t *testing.T) {
		noName := strings.Replace(renamed, `"name": "Bond Holdings Renamed",`, ``, 1)
		verified := fmt.Sprintf(`"reference": %q, "status": "REJECTED"`, importRef)
		res, nums, msgs := e.importLines(customer.ImportOptions{OnConflict: customer.ConflictUpdate}, noName, importLine(verified))
		if res.Failed != 2 || fmt.Sprint(nums) != "[1 2]" {
			t.Fatalf("result %+v, refused %v", res, msgs)
		}
		if !strings.Contains(msgs[0], "name") || !strings.Contains(msgs[1], "status REJECTED differs") {
			t.Fatalf("reasons %q", msgs)
		}
		if got := e.get(stored); got.Company.Name != "Bond Holdings Renamed" || got.Status != stored.Status {
			t.Fatalf("a refused update changed the customer: %q %s", got.Company.Name, got.Status)
		}
	})
}

// noEvidence is an evidence rule that finds every customer's register
// extract missing.
type noEvidence struct{}

func (noEvidence) Missing(context.Context, sqlx.QueryerContext, *customer.Customer) ([]customer.Problem, error) {
	return []customer.Problem{{Code: "missing_evidence", Associate: -1, Message: "No accepted company register extract."}}, nil
}

func (r noEvidence) MissingEach(ctx context.Context, db sqlx.QueryerContext, list []*customer.Customer) ([][]customer.Problem, error) {
	out := make([][]customer.Problem, len(list))
	for i, c := range list {
		out[i], _ = r.Missing(ctx, db, c)
	}
	return out, nil
}

// A line that arrives VERIFIED meets the API's approval preconditions or is
// refused naming them; --trust-status keeps the status and says so in the
// audit entry of every customer it imports.
func TestImportVerifiedPreconditions(t *testing.T) {
	e := newEnv(t)
	verified := `"status": "VERIFIED"`
	noControl := strings.Replace(importLine(verified), `"hasControl": true`, `"hasControl": false`, 1)
	noDoB := strings.Replace(noControl, `"dateOfBirth": "2001-01-31",`, ``, 1)

	res, nums, msgs := e.importLines(customer.ImportOptions{}, importLine(verified), noDoB, importLine(`"status": "PENDING"`))
	if res.Imported != 2 || fmt.Sprint(nums) != "[2]" {
		t.Fatalf("result %+v, refused %v", res, msgs)
	}
	for _, want := range []string{"arrives VERIFIED", "No associate has control", "has no date of birth"} {
		if !strings.Contains(msgs[0], want) {
			t.Errorf("refusal %q does not name %q", msgs[0], want)
		}
	}

	t.Run("Evidence", func(t *testing.T) {
		ev := &env{t: t, db: e.db, ctx: e.ctx, svc: customer.NewService(e.db, customer.Options{Evidence: noEvidence{}})}
		res, nums, msgs := ev.importLines(customer.ImportOptions{}, importLine(verified), importLine(""))
		if res.Imported != 1 || fmt.Sprint(nums) != "[1]" || !strings.Contains(msgs[0], "register extract") {
			t.Fatalf("result %+v, refused %v", res, msgs)
		}
	})

	t.Run("TrustStatus", func(t *testing.T) {
		before := e.count(`SELECT count(*) FROM audit_entries WHERE reason = $1`, customer.TrustedStatusReason)
		ref := fmt.Sprintf(`"reference": %q, "status": "VERIFIED"`, importRef)
		trusted := strings.Replace(importLine(ref), `"hasControl": true`, `"hasControl": false`, 1)
		res, nums, msgs := e.importLines(customer.ImportOptions{TrustStatus: true}, trusted, importLine(""))
		if res.Imported != 2 || len(nums) != 0 {
			t.Fatalf("result %+v, refused %v", res, msgs)
		}
		if got := e.get(&customer.Customer{Reference: uuid.MustParse(importRef)}); got.Status != customer.StatusVerified {
			t.Fatalf("status %s, want VERIFIED kept", got.Status)
		}
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.import' AND reason = $1`, customer.TrustedStatusReason); n-before != 2 {
			t.Fatalf("%d imported customers' entries say the status was trusted, want 2", n-before)
		}
	})
}

package seed

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/jsonx"
	"github.com/verity-kyb/verity/internal/validate"
)

// generated decodes n generated lines strictly, as `verity import` does.
func generated(t *testing.T, seed int64, n int, now time.Time) []customer.ImportRecord {
	t.Helper()
	var buf bytes.Buffer
	if err := generate(&buf, seed, n, now); err != nil {
		t.Fatalf("generate: %v", err)
	}
	var out []customer.ImportRecord
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec customer.ImportRecord
		if err := jsonx.Decode(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d does not decode as an import record: %v\n%s", len(out)+1, err, sc.Bytes())
		}
		out = append(out, rec)
	}
	if len(out) != n {
		t.Fatalf("got %d lines, want %d", len(out), n)
	}
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	day := time.Date(2026, time.March, 14, 15, 9, 26, 0, time.UTC)
	run := func(seed int64, now time.Time) []byte {
		var buf bytes.Buffer
		if err := generate(&buf, seed, 300, now); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b := run(7, day), run(7, day.Add(8*time.Hour))
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed on the same day gave different bytes")
	}
	if bytes.Equal(a, run(8, day)) {
		t.Fatal("seeds 7 and 8 gave the same bytes")
	}

	t.Run("Generate", func(t *testing.T) {
		for range 3 { // a run may straddle midnight UTC; then try again
			today := time.Now().UTC().YearDay()
			var x, y bytes.Buffer
			if err := Generate(&x, 42, 200); err != nil {
				t.Fatal(err)
			}
			if err := Generate(&y, 42, 200); err != nil {
				t.Fatal(err)
			}
			if time.Now().UTC().YearDay() != today {
				continue
			}
			if !bytes.Equal(x.Bytes(), y.Bytes()) {
				t.Fatal("Generate with the same seed gave different bytes")
			}
			return
		}
		t.Fatal("could not finish two runs within one UTC day")
	})
}

func TestGeneratePassesValidation(t *testing.T) {
	now := time.Now()
	recs := generated(t, 1, 2000, now)
	refs := map[string]bool{}
	verifyStatuses := map[string]bool{"infoRequired": true, "pending": true, "completed": true, "failed": true}
	pendingRefusable := 0
	for i, rec := range recs {
		c, _, err := customer.ValidateCreate(rec.CreateInput, now)
		if err != nil {
			t.Fatalf("customer %d is invalid: %v", i, err)
		}
		if _, err := uuid.Parse(*rec.Reference); err != nil || refs[*rec.Reference] {
			t.Fatalf("customer %d: reference %q is not a fresh UUID", i, *rec.Reference)
		}
		refs[*rec.Reference] = true
		st, ok := customer.ParseStatus(*rec.Status)
		if !ok {
			t.Fatalf("customer %d: status %q", i, *rec.Status)
		}
		if rec.CreatedAt.After(*rec.UpdatedAt) || rec.UpdatedAt.After(now) || rec.CreatedAt.Before(now.AddDate(-2, 0, -2)) {
			t.Errorf("customer %d: createdAt %s, updatedAt %s not in the last two years, in order", i, rec.CreatedAt, rec.UpdatedAt)
		}
		checkVerification(t, rawJSON(t, rec.Company.Verification), verifyStatuses)
		for j, a := range rec.Company.Associates {
			checkVerification(t, rawJSON(t, a.Verification), verifyStatuses)
			dob, msg := validate.AdultDate(*a.Person.DateOfBirth, now.UTC(), 18)
			if msg != "" || dob.Year() < 1950 {
				t.Errorf("customer %d associate %d: date of birth %s: %s", i, j, *a.Person.DateOfBirth, msg)
			}
			if a.Person.Reference == nil {
				t.Errorf("customer %d associate %d has no person reference", i, j)
			}
		}
		problems := customer.ApprovalProblems(&c)
		switch {
		case st == customer.StatusVerified && len(problems) > 0:
			t.Errorf("VERIFIED customer %d cannot be approved: %v", i, problems)
		case st == customer.StatusPending && len(problems) > 0:
			pendingRefusable++
		}
	}
	if pendingRefusable < 100 {
		t.Errorf("only %d PENDING customers would have their approval refused; the demo needs some", pendingRefusable)
	}
}

// checkVerification wants a verification object with a fresh link and a
// known status word.
// rawJSON is v as the generator wrote it.
func rawJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func checkVerification(t *testing.T, raw string, statuses map[string]bool) {
	t.Helper()
	var v customer.Verification
	if err := jsonx.Decode([]byte(raw), &v); err != nil {
		t.Fatalf("verification %s: %v", raw, err)
	}
	token, ok := strings.CutPrefix(v.URL, VerifyURLPrefix)
	if !ok || len(token) < 20 || validate.URL(v.URL) != "" || !statuses[v.Status] {
		t.Errorf("verification %s: want a %s<random> link and one of infoRequired/pending/completed/failed", raw, VerifyURLPrefix)
	}
}

func TestGenerateMix(t *testing.T) {
	const n = 5000
	recs := generated(t, 99, n, time.Now())
	statuses := map[string]int{}
	risks := map[string]int{}
	associates := map[int]int{}
	acme := 0
	for _, rec := range recs {
		statuses[*rec.Status]++
		risks[*rec.RiskScore]++
		associates[len(rec.Company.Associates)]++
		if strings.HasPrefix(*rec.Company.Name, "Acme") {
			acme++
		}
	}
	within := func(what string, got int, wantPct float64) {
		t.Helper()
		if pct := 100 * float64(got) / n; pct < wantPct-5 || pct > wantPct+5 {
			t.Errorf("%s: %.1f%%, want %.0f%% ± 5", what, pct, wantPct)
		}
	}
	within("PENDING", statuses["PENDING"], 60)
	within("VERIFIED", statuses["VERIFIED"], 30)
	within("REJECTED", statuses["REJECTED"], 10)
	within("LOW", risks["LOW"], 60)
	within("MEDIUM", risks["MEDIUM"], 30)
	within("HIGH", risks["HIGH"], 10)
	within("1 associate", associates[1], 30)
	within("2 associates", associates[2], 35)
	within("3 associates", associates[3], 25)
	within("4 associates", associates[4], 10)
	if pct := 100 * float64(acme) / n; pct < 1 || pct > 3 {
		t.Errorf("names starting with Acme: %.2f%%, want 1%%–3%%", pct)
	}
}

// Every letter of the name lists must reach e-mail addresses in ASCII, or
// "Łódź" would lose letters and two people could share an address.
func TestSlugFoldsEveryLetter(t *testing.T) {
	for _, c := range countries {
		for _, name := range append(append(c.firstNames, c.lastNames...), companyPrefixes...) {
			for _, r := range strings.ToLower(name) {
				if unicode.IsLetter(r) && r > unicode.MaxASCII && asciiFold[r] == "" {
					t.Errorf("%q: no ASCII spelling for %q", name, r)
				}
			}
		}
	}
	for in, want := range map[string]string{"Seán O'Brien": "sean.o.brien", "Łódź  Ąę": "lodz.ae", "van den Berg": "van.den.berg"} {
		if got := slug(in, '.'); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

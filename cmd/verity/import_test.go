package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
)

// importCompany is one valid customer line (no reference: a new one each time).
const importCompany = `{"riskScore": "LOW", "company": {"name": "Bond Holdings", "description": "Imported",
 "taxResidenceCountryCode": "US", "registrationNumber": "21-4532998",
 "address": {"addressLine1": "1 Main St", "city": "New York", "postalCode": "10001", "countryCode": "US", "country": "United States"},
 "associates": [{"person": {"firstName": "Sean", "lastName": "Bond", "dateOfBirth": "2001-01-31",
   "address": {"addressLine1": "101 West Broadway", "city": "San Diego", "postalCode": "92101", "countryCode": "US", "country": "United States"}},
  "details": {"birthCountryCode": "US", "contactInfo": {"emailAddress": "sean@bond.test", "phoneNumber": "+123456789"},
   "documentNumber": "123456789", "documentInfo": {"number": "123456789", "type": "DRIVERS_LICENSE", "issuingCountryCode": "US"},
   "taxIdentification": {"number": "914764628", "taxResidenceCountryCode": "US"}},
  "title": "CEO", "riskScore": "LOW", "controls": {"hasOwnership": true, "hasControl": true, "isSigner": false}}]}}`

func withRef(ref, line string) string {
	return `{"reference": "` + ref + `", ` + strings.TrimPrefix(line, "{")
}

// importEnv points the commands at a fresh database.
func importEnv(t *testing.T) {
	t.Setenv("DATABASE_URL", pgtest.NewURL(t))
	t.Setenv("DATA_DIR", t.TempDir())
	t.Setenv("VERITY_ENV", "development")
	t.Setenv("LOG_LEVEL", "error")
}

// runImport writes lines to a file and runs `verity import args… FILE`.
func runImport(t *testing.T, lines []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "customers.jsonl")
	one := make([]string, len(lines))
	for i, l := range lines {
		one[i] = strings.ReplaceAll(l, "\n", " ")
	}
	if err := os.WriteFile(file, []byte(strings.Join(one, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err = run(t.Context(), append(append([]string{"import", "--progress-every", "0"}, args...), file), nil, &out, &errOut)
	return out.String(), errOut.String(), err
}

// Refused lines are listed in line order on stderr and the summary counts
// what happened, with thousands separated.
func TestImportCommandReport(t *testing.T) {
	importEnv(t)
	ref := "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
	out, errOut, err := runImport(t, []string{withRef(ref, importCompany), withRef(ref, importCompany), `{"oops`, importCompany})
	if err == nil || !strings.Contains(err.Error(), "2 lines were not imported") {
		t.Fatalf("error %v, want 2 lines not imported", err)
	}
	if got := strings.TrimSpace(out); got != "2 imported, 2 refused, 0 skipped" {
		t.Fatalf("summary %q", got)
	}
	i2, i3 := strings.Index(errOut, "line 2:"), strings.Index(errOut, "line 3:")
	if i2 < 0 || i3 < 0 || i2 > i3 {
		t.Fatalf("refused lines not in line order:\n%s", errOut)
	}
}

func TestImportSummaryThousands(t *testing.T) {
	if got := summary(customer.ImportResult{Imported: 12000, Failed: 3, Skipped: 1234567}); got != "12,000 imported, 3 refused, 1,234,567 skipped" {
		t.Fatalf("summary %q", got)
	}
}

// On a terminal the progress line is rewritten in place; otherwise each
// report is a line of its own. Both give the rate and, for a file, the ETA.
func TestImportProgressLine(t *testing.T) {
	var read atomic.Int64
	read.Store(250)
	for _, tty := range []bool{true, false} {
		var out bytes.Buffer
		p := &progress{out: &out, tty: tty, size: 1000, read: &read, start: time.Unix(0, 0)}
		p.lines.Store(3000)
		p.print(time.Unix(10, 0))
		got := out.String()
		want := "import: 3,000 lines read, 300 lines/s, 25%, ETA 30s"
		if tty && got != "\r\033[K"+want {
			t.Errorf("terminal: %q, want %q", got, "\r\033[K"+want)
		}
		if !tty && got != want+"\n" {
			t.Errorf("plain: %q, want %q", got, want+"\n")
		}
	}
}

// Re-running an import with --on-conflict skip leaves the stored customers
// and says so; an unknown policy is refused before anything is read.
func TestImportCommandOnConflict(t *testing.T) {
	importEnv(t)
	lines := []string{withRef("6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", importCompany)}
	if out, _, err := runImport(t, lines); err != nil || strings.TrimSpace(out) != "1 imported, 0 refused, 0 skipped" {
		t.Fatalf("first run: %q, %v", out, err)
	}
	if out, _, err := runImport(t, lines, "--on-conflict", "skip"); err != nil || strings.TrimSpace(out) != "0 imported, 0 refused, 1 skipped" {
		t.Fatalf("re-run with skip: %q, %v", out, err)
	}
	if out, _, err := runImport(t, lines, "--on-conflict", "update"); err != nil || strings.TrimSpace(out) != "0 imported, 0 refused, 0 skipped, 1 updated" {
		t.Fatalf("re-run with update: %q, %v", out, err)
	}
	if _, _, err := runImport(t, lines, "--on-conflict", "replace"); err == nil || !strings.Contains(err.Error(), "fail, skip or update") {
		t.Fatalf("--on-conflict replace: %v", err)
	}
}

// --trust-status reaches the import: a VERIFIED line without an associate in
// control is refused without it and kept with it.
func TestImportCommandTrustStatus(t *testing.T) {
	importEnv(t)
	line := strings.Replace(`{"status": "VERIFIED", `+strings.TrimPrefix(importCompany, "{"), `"hasControl": true`, `"hasControl": false`, 1)
	if _, errOut, err := runImport(t, []string{line}); err == nil || !strings.Contains(errOut, "arrives VERIFIED") {
		t.Fatalf("without --trust-status: %v\n%s", err, errOut)
	}
	if out, _, err := runImport(t, []string{line}, "--trust-status"); err != nil || strings.TrimSpace(out) != "1 imported, 0 refused, 0 skipped" {
		t.Fatalf("with --trust-status: %q, %v", out, err)
	}
}

// IMPORT_BLOCKPROFILE writes where the import's goroutines waited as a pprof
// block profile: the batches' channel shows in it.
func TestImportBlockProfile(t *testing.T) {
	importEnv(t)
	file := filepath.Join(t.TempDir(), "block.pprof")
	t.Setenv("IMPORT_BLOCKPROFILE", file)
	if _, errOut, err := runImport(t, []string{importCompany, importCompany}); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a gzipped profile: %v", err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte("chanrecv")) && !bytes.Contains(body, []byte("chansend")) {
		t.Fatalf("the profile names no channel wait (%d bytes)", len(body))
	}
}

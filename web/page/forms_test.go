package page_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHandlersAskTheService keeps the rule of docs/web.md: the customer
// pages' handlers check no role themselves and word no refusal of their own;
// they ask customer.Service.ActionsFor what to offer and map its errors.
func TestHandlersAskTheService(t *testing.T) {
	for _, dir := range []string{"../customerpage", "../associates", "../customerlist"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{".Role.Can(", "access.Perm", `"your role (%s) may not`} {
				if strings.Contains(string(src), bad) {
					t.Errorf("%s checks a permission itself (%s); ask the service (ActionsFor) instead", f, bad)
				}
			}
		}
	}
}

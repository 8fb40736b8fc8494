package seed

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/jsonx"
)

// The records seed imports directly are exactly what the import decodes
// from the JSON Lines Generate writes for the same seed and day.
func TestRecordsAreTheGeneratedLines(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	var buf bytes.Buffer
	if err := generate(&buf, 42, 500, now); err != nil {
		t.Fatal(err)
	}
	next, err := records(42, 500, now)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	for i, line := range lines {
		var want customer.ImportRecord
		if err := jsonx.Decode([]byte(line), &want); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		// ignored by the import (an imported customer starts unassigned and settled)
		want.Assignee, want.ReviewRequired, want.RequiredActions = nil, nil, nil
		got := next()
		if got == nil {
			t.Fatalf("records ended after %d of %d", i, len(lines))
		}
		if !reflect.DeepEqual(*got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Fatalf("record %d differs from its line:\nrecord: %s\nline:   %s", i+1, g, w)
		}
	}
	if next() != nil {
		t.Fatal("records made more customers than lines")
	}
}

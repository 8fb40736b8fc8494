package audit

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/access"
)

// copyField is how lib/pq's CopyIn writes one of Args' values.
func copyField(t *testing.T, v any) string {
	t.Helper()
	esc := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	switch v := v.(type) {
	case string:
		return esc.Replace(v)
	case *string:
		if v == nil {
			return `\N`
		}
		return esc.Replace(*v)
	case *int64:
		if v == nil {
			return `\N`
		}
		return strconv.FormatInt(*v, 10)
	}
	t.Fatalf("no COPY form for %T", v)
	return ""
}

// AppendCopy writes the row Args gives, as lib/pq's CopyIn encoded it, for
// every kind of actor and with text that COPY must escape.
func TestAppendCopyIsArgsAsCopyIn(t *testing.T) {
	id := int64(42)
	for _, r := range []Record{
		{Actor: access.System("import"), Action: ActionCustomerImport, CustomerID: &id, ChangesJSON: []byte(`[{"new": "a\\tb\\\\c", "old": null, "path": "company.name"}]`)},
		{Actor: access.Actor{Kind: access.ActorUser, ID: 7, Name: "Ann\tO\\Brien", RequestID: "req\n1"}, Action: ActionCustomerCreate,
			CustomerID: &id, Subject: "sub\rject", Changes: []Change{{Path: "company.name", Old: "x\ty", New: "line\nbreak"}}, Reason: `back\slash`},
		{Actor: access.Actor{Kind: access.ActorAPIKey, ID: 9, Name: ""}, Action: ActionCustomerCreate},
	} {
		args, err := r.Args()
		if err != nil {
			t.Fatal(err)
		}
		fields := make([]string, len(args))
		for i, v := range args {
			fields[i] = copyField(t, v)
		}
		want := strings.Join(fields, "\t") + "\n"
		var w CopyText
		r.AppendCopy(&w)
		if got := string(w.Buf); got != want {
			t.Errorf("AppendCopy\n got  %q\n want %q", got, want)
		}
	}
	var w CopyText
	at := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.FixedZone("x", 3600))
	w.Time(at)
	w.Bool(true)
	w.Null()
	w.EndRow()
	if want := string(pq.FormatTimestamp(at)) + "\ttrue\t\\N\n"; string(w.Buf) != want {
		t.Errorf("fields %q, want %q", w.Buf, want)
	}
}

package jsonx_test

import (
	"encoding/json"
	"testing"

	"github.com/verity-kyb/verity/internal/jsonx"
)

// AppendString writes every string exactly as encoding/json does.
func TestAppendStringIsEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "Acme Ltd", `quote " and \ backslash`, "tab\tnew\nline", "<b>&amp;</b>",
		"Zürich 東京 🙂", "line\u2028sep\u2029", "bad \xff byte", "\x00\x1f\x7f"} {
		want, _ := json.Marshal(s)
		if got := jsonx.AppendString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("AppendString(%q) = %s, want x%s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("Acme <Ltd> & \u2028")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := jsonx.AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}

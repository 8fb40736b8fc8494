package jsonx

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// decodeKeySlow and joinSlow are decodeKey and join without their fast
// paths for plain keys: the fast paths must answer the same.
func decodeKeySlow(raw []byte) (key, bad string) {
	if err := json.Unmarshal(raw, &key); err != nil {
		return string(raw), msgUTF8
	}
	if msg := badString(raw); msg != "" {
		return key, msg
	}
	return key, ""
}

func joinSlow(path, key string) string {
	if utf8.RuneCountInString(key) > maxKeyInPath {
		key = string([]rune(key)[:maxKeyInPath]) + "…"
	}
	if key == "" || strings.ContainsFunc(key, func(r rune) bool {
		return r == '.' || r == '[' || r == ']' || r == '"' || r == '\\' || r <= ' ' || r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r)
	}) {
		q, _ := json.Marshal(key)
		return path + "[" + string(q) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func FuzzKeysAsBefore(f *testing.F) {
	for _, k := range []string{"name", "", "a b", "a.b", "x[0]", "n\\u0061me", "\xff", "\\ud800", strings.Repeat("k", 70), "Zoë", "\x7f"} {
		f.Add("company", k)
		f.Add("", k)
	}
	f.Fuzz(func(t *testing.T, path, key string) {
		if got, want := join(path, key), joinSlow(path, key); got != want {
			t.Fatalf("join(%q, %q) = %q, want %q", path, key, got, want)
		}
		raw := []byte(`"` + key + `"`)
		if !json.Valid(raw) {
			return
		}
		k, bad := decodeKey(raw)
		wk, wbad := decodeKeySlow(raw)
		if k != wk || bad != wbad {
			t.Fatalf("decodeKey(%s) = %q %q, want %q %q", raw, k, bad, wk, wbad)
		}
	})
}

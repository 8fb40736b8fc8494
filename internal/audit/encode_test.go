package audit

import (
	"encoding/json"
	"testing"
)

// AppendChanges must write what encoding/json wrote before it, for every
// kind of value a change holds.
func TestAppendChangesIsEncodingJSON(t *testing.T) {
	texts := []string{"", "plain", "Zoë de <Boer> & co", "quote \" back \\ slash", "tab\tnew\nline\x01",
		"line\u2028sep\u2029", "bad \xff utf-8", "emoji 🙂", "\x7f"}
	var cs []Change
	for _, s := range texts {
		cs = append(cs, Change{Path: "company.name" + s, Old: nil, New: s}, Change{Path: s, Old: s, New: nil})
	}
	cs = append(cs, Change{Path: "flag", Old: false, New: true}, Change{Path: "position", Old: 0, New: 3},
		Change{Path: "big", Old: int64(-1) << 40, New: 2.5}, Change{Path: "nested", Old: map[string]any{"b": []any{1, "x"}}, New: []string{"<"}})
	for _, list := range [][]Change{nil, {}, cs} {
		want, err := json.Marshal(list)
		if err != nil {
			t.Fatal(err)
		}
		if list == nil {
			want = []byte("[]") // Args wrote an empty list for none
		}
		if got := AppendChanges(nil, list); string(got) != string(want) {
			t.Errorf("AppendChanges:\n got %s\nwant %s", got, want)
		}
	}
}

func FuzzAppendChanges(f *testing.F) {
	f.Add("company.name", "Zoë <&>", true)
	f.Add("x", "\xff\u2028\x00", false)
	f.Fuzz(func(t *testing.T, path, text string, flag bool) {
		cs := []Change{{Path: path, Old: nil, New: text}, {Path: text, Old: flag, New: len(text)}}
		want, _ := json.Marshal(cs)
		if got := AppendChanges(nil, cs); string(got) != string(want) {
			t.Fatalf("got %s, want %s", got, want)
		}
	})
}

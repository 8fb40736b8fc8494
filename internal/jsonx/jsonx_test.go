package jsonx_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/jsonx"
)

type item struct {
	Name  *string           `json:"name"`
	Flags map[string]bool   `json:"flags"`
	Tags  []string          `json:"tags"`
	Inner *struct{ X *int } `json:"inner"`
}

type body struct {
	Name  string `json:"name"`
	Items []item `json:"items"`
	Meta  any    `json:"meta"`
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in, code, path string
	}{
		{"OK", `{"name": "a", "items": [{"name": "b", "flags": {"x": true}, "tags": ["t"]}], "meta": {"k": [1]}}`, "", ""},
		{"OK/SurrogatePair", `{"name": "\ud83d\ude00"}`, "", ""},
		{"OK/EscapedText", `{"name": "caf\u00e9 \"q\" \\ \/"}`, "", ""},
		{"OK/Null", `{"name": null, "items": null}`, "", ""},
		{"ErrInvalidUTF8", "{\"name\": \"a\xffb\"}", "validation_failed", "name"},
		{"ErrInvalidUTF8Nested", "{\"items\": [{}, {\"tags\": [\"ok\", \"\xc3\x28\"]}]}", "validation_failed", "items[1].tags[1]"},
		{"ErrInvalidUTF8InKey", "{\"items\": [{\"n\xffme\": 1}]}", "validation_failed", "items[0][\"n\uFFFDme\"]"},
		{"ErrEmptyKey", `{"": 1}`, "validation_failed", `[""]`},
		{"ErrKeyWithDot", `{"items": [{"a.b": 1}]}`, "validation_failed", `items[0]["a.b"]`},
		{"ErrInvalidUTF8InFreeValue", "{\"meta\": {\"k\": \"\xff\"}}", "validation_failed", "meta.k"},
		{"ErrLoneHighSurrogate", `{"name": "\ud800"}`, "validation_failed", "name"},
		{"ErrLoneLowSurrogate", `{"name": "x\udc00y"}`, "validation_failed", "name"},
		{"ErrHighThenNotLow", `{"name": "\ud800\u0041"}`, "validation_failed", "name"},
		{"ErrHighAtEnd", `{"items": [{"name": "ab\ud83d"}]}`, "validation_failed", "items[0].name"},
		{"ErrDuplicateTop", `{"name": "a", "name": "b"}`, "validation_failed", "name"},
		{"ErrDuplicateEscaped", `{"name": "a", "n\u0061me": "b"}`, "validation_failed", "name"},
		{"ErrDuplicateDeep", `{"items": [{"inner": {"X": 1, "X": 2}}]}`, "validation_failed", "items[0].inner.X"},
		{"ErrDuplicateInMap", `{"items": [{"flags": {"a": true, "a": false}}]}`, "validation_failed", "items[0].flags.a"},
		{"ErrDuplicateInFreeValue", `{"meta": {"k": 1, "k": 2}}`, "validation_failed", "meta.k"},
		{"ErrUnknown", `{"items": [{}, {"nmae": "x"}]}`, "validation_failed", "items[1].nmae"},
		{"ErrCaseDiffers", `{"NAME": "x"}`, "validation_failed", "NAME"},
		{"ErrStringForNumber", `{"items": [{"inner": {"X": "1"}}]}`, "validation_failed", "items[0].inner.X"},
		{"ErrNumberForString", `{"name": 1}`, "validation_failed", "name"},
		{"ErrObjectForArray", `{"items": {}}`, "validation_failed", "items"},
		{"ErrBoolForMapValue", `{"items": [{"flags": {"a": "yes"}}]}`, "validation_failed", "items[0].flags.a"},
		{"ErrArrayBody", `[]`, "malformed_json", ""},
		{"ErrStringBody", `"x"`, "malformed_json", ""},
		{"ErrSyntax", `{"name": }`, "malformed_json", ""},
		{"ErrTrailing", `{} {}`, "malformed_json", ""},
		{"ErrEmpty", ` `, "malformed_json", ""},
		{"ErrInvalidUTF8OutsideString", "{\"name\": \"a\"}\xff", "malformed_json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v body
			err := jsonx.Decode([]byte(tc.in), &v)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("want OK, got %v", err)
				}
				return
			}
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != tc.code || !errors.Is(err, apperr.ErrInvalid) {
				t.Fatalf("want %s, got %v", tc.code, err)
			}
			if tc.path != "" && len(e.Fields[tc.path]) == 0 {
				t.Fatalf("want an error at %q, got %v", tc.path, e.Fields)
			}
		})
	}
}

func TestDecodeBoundsErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"name": "x"`)
	for i := range 5000 {
		fmt.Fprintf(&b, `, "k%d": 1`, i)
	}
	b.WriteString("}")
	var v body
	var e *apperr.Error
	if err := jsonx.Decode([]byte(b.String()), &v); !errors.As(err, &e) || len(e.Fields) != 100 {
		t.Fatalf("want 100 field errors, got %v", err)
	}
}

func TestDecodeShortensLongKeys(t *testing.T) {
	var v body
	var e *apperr.Error
	err := jsonx.Decode([]byte(`{"`+strings.Repeat("k", 10000)+`": 1}`), &v)
	if !errors.As(err, &e) || len(e.Fields[strings.Repeat("k", 64)+"…"]) == 0 {
		t.Fatalf("want the key shortened to 64 characters, got %v", err)
	}
}

func TestCanonical(t *testing.T) {
	a, err := jsonx.Canonical([]byte(`{"b": [1, {"y": 2, "x": "\u0041"}], "a": null}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := jsonx.Canonical([]byte("{\n\t\"a\":null,\"b\":[1,{\"x\":\"A\",\"y\":2}]}"))
	if string(a) != string(b) || string(a) != `{"a":null,"b":[1,{"x":"A","y":2}]}` {
		t.Fatalf("%s vs %s", a, b)
	}
	c, _ := jsonx.Canonical([]byte(`{"a": null, "b": [1, {"x": "B", "y": 2}]}`))
	if string(c) == string(a) {
		t.Fatal("a different value must not canonicalise the same")
	}
}

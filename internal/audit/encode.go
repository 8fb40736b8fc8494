package audit

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// AppendChanges appends cs as JSON, byte for byte what encoding/json writes
// for it ([] for none): the trail's changes column is written by this alone
// (Record.Args), without reflection. Values of a type it does not know go
// through encoding/json.
func AppendChanges(b []byte, cs []Change) []byte {
	b = append(b, '[')
	for i := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"path":`...)
		b = appendString(b, cs[i].Path)
		b = append(b, `,"old":`...)
		b = appendValue(b, cs[i].Old)
		b = append(b, `,"new":`...)
		b = appendValue(b, cs[i].New)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendValue writes one change value: the leaves Diff produces (text,
// booleans, numbers, null) directly, anything else through encoding/json.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

// appendString quotes s as encoding/json does: plain printable ASCII and
// valid multi-byte UTF-8 are copied; a string with anything encoding/json
// escapes (quote, backslash, control characters, <, >, &, U+2028/U+2029) or
// invalid UTF-8 goes through encoding/json itself.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if plainASCII[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return appendMarshalled(b, s)
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			return appendMarshalled(b, s)
		}
		i += size
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainASCII marks the bytes encoding/json copies as they are.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

func appendMarshalled(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

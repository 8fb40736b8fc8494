package jsonx

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/verity-kyb/verity/internal/apperr"
)

// Messages of the checks that run before decoding.
const (
	msgUnknown   = "is not a known field"
	msgDuplicate = "appears more than once in the same object"
	msgUTF8      = "must be valid UTF-8 text"
	msgSurrogate = "must be valid UTF-8 text (it contains an unpaired UTF-16 surrogate escape)"
)

// checker walks a syntactically valid JSON text beside the Go type it will be
// decoded into, and reports what encoding/json would silently accept or
// repair: duplicate keys (the last one wins), invalid UTF-8 and lone
// surrogate escapes (both turned into U+FFFD), and — with every path, array
// indices included — unknown fields and values of the wrong type.
type checker struct {
	data  []byte
	pos   int
	errs  apperr.FieldErrors
	path  func(string) string
	steps []step // the path to the value at pos
}

// maxErrors bounds the field errors of one body: a 1 MiB body of unknown
// keys must not become a several-MiB answer.
const maxErrors = 100

func (c *checker) add(path, msg string) {
	if len(c.errs) < maxErrors {
		c.errs.Add(c.path(path), msg)
	}
}

func (c *checker) skipSpace() {
	for c.pos < len(c.data) {
		switch c.data[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

// step is one step of the path to the value being checked: an object's key
// (unquoted) or an array's index. The checker keeps the steps to where it is
// and writes them out (path) only for a refusal, so a valid body costs no
// path strings.
type step struct {
	key   []byte
	index int // the array index, or -1 for a key
}

// pathText is the steps written as errors name them: company.associates[0].person.
func (c *checker) pathText() string {
	p := ""
	for _, s := range c.steps {
		if s.index >= 0 {
			p += "[" + strconv.Itoa(s.index) + "]"
		} else {
			p = join(p, string(s.key))
		}
	}
	return p
}

// refuse adds a refusal of the value at the current path.
func (c *checker) refuse(msg string) {
	if len(c.errs) < maxErrors {
		c.add(c.pathText(), msg)
	}
}

// value checks the value at c.pos against t (nil: anything goes, but keys
// and strings are still checked).
func (c *checker) value(t reflect.Type) {
	c.skipSpace()
	t = target(t)
	switch c.data[c.pos] {
	case '{':
		if t != nil && t.Kind() != reflect.Struct && t.Kind() != reflect.Map {
			c.refuse(mismatch(t, "an object"))
			t = nil
		}
		c.object(t)
	case '[':
		if t != nil && t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			c.refuse(mismatch(t, "an array"))
			t = nil
		}
		var elem reflect.Type
		if t != nil {
			elem = t.Elem()
		}
		c.array(elem)
	case '"':
		raw := c.stringLiteral()
		if msg := badString(raw); msg != "" {
			c.refuse(msg)
		} else if t != nil && t.Kind() != reflect.String {
			c.refuse(mismatch(t, "a string"))
		}
	case 't', 'f':
		c.literal()
		if t != nil && t.Kind() != reflect.Bool {
			c.refuse(mismatch(t, "true or false"))
		}
	case 'n':
		c.literal() // null fits every field: it leaves or clears it
	default:
		c.literal()
		if t != nil && !numeric(t.Kind()) {
			c.refuse(mismatch(t, "a number"))
		}
	}
}

func (c *checker) object(t reflect.Type) {
	var fields map[string]reflect.Type
	var elem reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		fields = jsonFields(t)
	} else if t != nil {
		elem = t.Elem()
	}
	var seenBuf [24][]byte // objects have few keys: a list beats a map
	seen := seenBuf[:0]
	c.pos++ // {
	for {
		c.skipSpace()
		if c.data[c.pos] == '}' {
			c.pos++
			return
		}
		if c.data[c.pos] == ',' {
			c.pos++
			continue
		}
		raw := c.stringLiteral()
		key, bad := keyBytes(raw)
		c.steps = append(c.steps, step{key: key, index: -1})
		c.skipSpace()
		c.pos++ // :
		ft := elem
		switch {
		case bad != "":
			c.refuse(bad)
			ft = nil
		case slices.ContainsFunc(seen, func(k []byte) bool { return bytes.Equal(k, key) }):
			c.refuse(msgDuplicate)
			ft = nil
		case fields != nil:
			f, ok := fields[string(key)]
			if !ok {
				c.refuse(unknown(fields, string(key)))
			}
			ft = f
		}
		seen = append(seen, key)
		c.value(ft)
		c.steps = c.steps[:len(c.steps)-1]
	}
}

func (c *checker) array(elem reflect.Type) {
	c.pos++ // [
	for i := 0; ; i++ {
		c.skipSpace()
		if c.data[c.pos] == ']' {
			c.pos++
			return
		}
		if c.data[c.pos] == ',' {
			c.pos++
			c.skipSpace()
		}
		c.steps = append(c.steps, step{index: i})
		c.value(elem)
		c.steps = c.steps[:len(c.steps)-1]
	}
}

// stringLiteral returns the raw literal at c.pos, quotes included.
func (c *checker) stringLiteral() []byte {
	start := c.pos
	c.pos++
	for c.data[c.pos] != '"' {
		if c.data[c.pos] == '\\' {
			c.pos++
		}
		c.pos++
	}
	c.pos++
	return c.data[start:c.pos]
}

// literal skips a number, true, false or null.
func (c *checker) literal() {
	for c.pos < len(c.data) {
		switch c.data[c.pos] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return
		}
		c.pos++
	}
}

// badString says what is wrong with a raw string literal's text, or "".
func badString(raw []byte) string {
	if !utf8.Valid(raw) {
		return msgUTF8
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if raw[i] != 'u' {
			continue
		}
		r := hex4(raw[i+1 : i+5])
		i += 4
		switch {
		case utf16.IsSurrogate(r) && r < 0xDC00:
			// a high surrogate must be followed by an escaped low one
			if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				if lo := hex4(raw[i+3 : i+7]); lo >= 0xDC00 && lo <= 0xDFFF {
					i += 6
					continue
				}
			}
			return msgSurrogate
		case utf16.IsSurrogate(r):
			return msgSurrogate // a low surrogate on its own
		}
	}
	return ""
}

func hex4(b []byte) rune {
	n, err := strconv.ParseUint(string(b), 16, 32)
	if err != nil {
		return utf8.RuneError
	}
	return rune(n)
}

// decodeKey unquotes an object key; bad says why it cannot name a field.
func decodeKey(raw []byte) (key, bad string) {
	k, bad := keyBytes(raw)
	return string(k), bad
}

// keyBytes is decodeKey without a copy for a plain key: its text inside raw.
func keyBytes(raw []byte) (key []byte, bad string) {
	if plain(raw[1 : len(raw)-1]) { // nothing to unquote or refuse
		return raw[1 : len(raw)-1], ""
	}
	var k string
	if err := json.Unmarshal(raw, &k); err != nil {
		return raw, msgUTF8
	}
	if msg := badString(raw); msg != "" {
		return []byte(k), msg
	}
	return []byte(k), ""
}

// plain says whether b is printable ASCII without a quote or a backslash:
// a key or path part that needs neither unquoting nor quoting.
func plain(b []byte) bool {
	for _, c := range b {
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// plainKey says whether key is printable ASCII other than space, the
// quote, the backslash, dots and brackets: a path part written as it is.
func plainKey(key string) bool {
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case c < 0x21 || c > 0x7e, c == '"', c == '\\', c == '.', c == '[', c == ']':
			return false
		}
	}
	return true
}

// maxKeyInPath is how much of an unknown key an error path repeats.
const maxKeyInPath = 64

// join appends a key to a path; a key that would make the path ambiguous
// (empty, or with dots, brackets, quotes, spaces or control characters) is
// written quoted in brackets: company["my field"].
func join(path, key string) string {
	if len(key) > 0 && len(key) <= maxKeyInPath && plainKey(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
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

// unknown is the message for an unknown key; a known field spelled in
// another case is named, since field names are case-sensitive.
func unknown(fields map[string]reflect.Type, key string) string {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf("%s; field names are case-sensitive: %q", msgUnknown, name)
		}
	}
	return msgUnknown
}

var (
	unmarshaler     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// target is the type a JSON value is checked against: pointers and Optional
// wrappers are looked through; nil means "accept any value" (interfaces,
// json.RawMessage, types that decode themselves such as time.Time).
func target(t reflect.Type) reflect.Type {
	if t == nil {
		return nil
	}
	if u, ok := targetCache.Load(t); ok {
		return u.(*targetOf).t
	}
	u := targetUncached(t)
	targetCache.Store(t, &targetOf{u})
	return u
}

// targetCache holds target per type, as fieldCache holds fields.
var targetCache sync.Map // reflect.Type → *targetOf

type targetOf struct{ t reflect.Type }

func targetUncached(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "Optional[") {
		if f, ok := t.FieldByName("Value"); ok {
			return target(f.Type)
		}
	}
	if t.Kind() == reflect.Interface || t == reflect.TypeFor[json.RawMessage]() {
		return nil
	}
	if reflect.PointerTo(t).Implements(unmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil
	}
	return t
}

func numeric(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func mismatch(t reflect.Type, got string) string {
	return fmt.Sprintf("must be %s, not %s", kind(t), got)
}

// StringProblem says what Decode would refuse in a raw JSON string literal
// (quotes included): invalid UTF-8 or an unpaired surrogate escape; "" when
// it is fine. For decoders that stream a body instead of holding it.
func StringProblem(raw []byte) string { return badString(raw) }

// UnknownField is Decode's message for a key that names no field of a
// struct type shaped like sample.
func UnknownField(sample any, key string) string {
	return unknown(jsonFields(reflect.TypeOf(sample)), key)
}

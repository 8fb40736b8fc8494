package jsonx

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// fastDecode decodes body into v (a pointer) in one pass without
// encoding/json, for the bodies that are common and plain: objects, arrays,
// strings, true, false and null, into structs (fields named exactly by their
// tags), pointers, slices, strings, bools, time.Time and json.RawMessage. It
// answers false as soon as the body holds anything else, or anything
// encoding/json would refuse, repair or read another way, or Decode's checks
// would refuse — a number, an escaped, unknown or repeated key, an unpaired
// surrogate, invalid UTF-8, a value of the wrong type, trailing data —, or
// v's type holds another kind; then v may be partly set and the caller
// decodes again with encoding/json and the checks. When it answers true, v
// holds exactly what json.Unmarshal makes of body (tested against it), body
// is one well-formed JSON value and the checks have nothing to refuse.
func fastDecode(body []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || !fastType(rv.Type()) {
		return false
	}
	d := fastDec{data: body}
	d.space()
	if !d.value(rv.Elem()) {
		return false
	}
	d.space()
	return d.pos == len(d.data)
}

type fastDec struct {
	data []byte
	pos  int
	buf  []byte // an escaped string's text, reused
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// fastStruct is a struct type's fields by JSON name (embedded structs'
// fields promoted), or ok false when fastDecode cannot read the type.
type fastStruct struct {
	fields map[string]fastField
	ok     bool
}

// fastField is a field's index path and its bit in an object's keys seen.
type fastField struct {
	index []int
	bit   uint64
}

// fastPlans holds, per type, a *fastStruct (structs) or a bool (others);
// an entry is stored once every type it reaches has one.
var (
	fastPlans sync.Map // reflect.Type → *fastStruct | bool
	fastMu    sync.Mutex
)

// fastType tells whether fastDecode reads every kind t holds.
func fastType(t reflect.Type) bool {
	if p, found := fastPlans.Load(t); found {
		return planOK(p)
	}
	fastMu.Lock()
	defer fastMu.Unlock()
	building := map[reflect.Type]any{}
	ok := buildPlan(t, building)
	for k, p := range building {
		fastPlans.Store(k, p)
	}
	return ok
}

func planOK(p any) bool {
	if s, ok := p.(*fastStruct); ok {
		return s.ok
	}
	return p.(bool)
}

// buildPlan makes t's plan and those of the types it reaches into building.
func buildPlan(t reflect.Type, building map[reflect.Type]any) bool {
	if p, found := fastPlans.Load(t); found {
		return planOK(p)
	}
	if p, found := building[t]; found {
		return planOK(p)
	}
	building[t] = false // a type that holds itself is left to encoding/json
	var ok bool
	switch {
	case t == timeType || t == rawType:
		ok = true
	case reflect.PointerTo(t).Implements(unmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler):
	default:
		switch t.Kind() {
		case reflect.String, reflect.Bool:
			ok = true
		case reflect.Pointer, reflect.Slice:
			ok = buildPlan(t.Elem(), building)
		case reflect.Struct:
			s := &fastStruct{fields: map[string]fastField{}}
			s.ok = s.add(t, nil, map[string]bool{}, building)
			building[t] = s
			return s.ok
		}
	}
	building[t] = ok
	return ok
}

// add adds t's fields (at index path at) and answers false
// for what fastDecode leaves to encoding/json: a tag option, an embedded
// pointer, two fields of one name.
func (s *fastStruct) add(t reflect.Type, at []int, seen map[string]bool, building map[reflect.Type]any) bool {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		name, opts, _ := cut(tag, ',')
		if tag == "-" {
			continue
		}
		if opts != "" && opts != "omitempty" && opts != "omitzero" {
			return false
		}
		idx := append(append([]int(nil), at...), i)
		if f.Anonymous && name == "" {
			if f.Type.Kind() != reflect.Struct || !s.add(f.Type, idx, seen, building) {
				return false
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if !hasTag || name == "" {
			return false // named by the Go field: left to encoding/json
		}
		if seen[name] || len(seen) == 64 {
			return false
		}
		seen[name] = true
		if !buildPlan(f.Type, building) {
			return false
		}
		s.fields[name] = fastField{idx, 1 << len(s.fields)}
	}
	return true
}

func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func (d *fastDec) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// lit consumes the literal word (true, false, null) when it is next.
func (d *fastDec) lit(word string) bool {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return false
	}
	d.pos += len(word)
	return true
}

// value decodes the value at pos into v, as encoding/json would.
func (d *fastDec) value(v reflect.Value) bool {
	if d.pos >= len(d.data) {
		return false
	}
	t := v.Type()
	start := d.pos
	if d.data[d.pos] == 'n' {
		if !d.lit("null") {
			return false
		}
		switch {
		case t == rawType:
			v.SetBytes(append([]byte(nil), "null"...))
		case t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice:
			v.SetZero()
		}
		return true // a string, bool, struct or time.Time is left as it is
	}
	switch {
	case t == rawType:
		if !d.skip() {
			return false
		}
		v.SetBytes(append([]byte(nil), d.data[start:d.pos]...))
		return true
	case t == timeType:
		if d.data[d.pos] != '"' {
			return false
		}
		if _, ok := d.str(); !ok {
			return false
		}
		return v.Addr().Interface().(*time.Time).UnmarshalJSON(d.data[start:d.pos]) == nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return d.value(v.Elem())
	case reflect.String:
		if d.data[d.pos] != '"' {
			return false
		}
		s, ok := d.str()
		if ok {
			v.SetString(s)
		}
		return ok
	case reflect.Bool:
		switch {
		case d.lit("true"):
			v.SetBool(true)
		case d.lit("false"):
			v.SetBool(false)
		default:
			return false
		}
		return true
	case reflect.Slice:
		return d.array(v)
	case reflect.Struct:
		return d.object(v)
	}
	return false
}

func (d *fastDec) object(v reflect.Value) bool {
	if d.data[d.pos] != '{' {
		return false
	}
	s, _ := fastPlans.Load(v.Type())
	fields := s.(*fastStruct).fields
	d.pos++
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return true
	}
	var seen uint64
	for {
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return false
		}
		end := d.pos + 1
		for end < len(d.data) && d.data[end] != '"' && d.data[end] != '\\' && d.data[end] >= 0x20 && d.data[end] < utf8.RuneSelf {
			end++
		}
		if end >= len(d.data) || d.data[end] != '"' {
			return false // an escaped, non-ASCII or unterminated key
		}
		f, ok := fields[string(d.data[d.pos+1:end])]
		if !ok || seen&f.bit != 0 { // unknown, or a duplicate key
			return false
		}
		seen |= f.bit
		d.pos = end + 1
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return false
		}
		d.pos++
		d.space()
		if !d.value(v.FieldByIndex(f.index)) {
			return false
		}
		if more, ok := d.next('}'); !more {
			return ok
		}
	}
}

// next reads what follows a member: a comma (more, ok) or the closing
// byte (done, ok); anything else ends the member list as refused.
func (d *fastDec) next(closing byte) (more, ok bool) {
	d.space()
	if d.pos >= len(d.data) {
		return false, false
	}
	switch d.data[d.pos] {
	case ',':
		d.pos++
		d.space()
		return true, true
	case closing:
		d.pos++
		return false, true
	}
	return false, false
}

func (d *fastDec) array(v reflect.Value) bool {
	if d.data[d.pos] != '[' {
		return false
	}
	d.pos++
	d.space()
	v.Set(reflect.MakeSlice(v.Type(), 0, 4))
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return true
	}
	zero := reflect.Zero(v.Type().Elem())
	for n := 0; ; n++ {
		v.Set(reflect.Append(v, zero))
		if !d.value(v.Index(n)) {
			return false
		}
		if more, ok := d.next(']'); !more {
			return ok
		}
	}
}

// skip steps over one value of the kinds fastDecode reads (a number is not
// one), checking as it goes what Decode's checks refuse inside any value: its
// syntax, its strings, duplicate keys.
func (d *fastDec) skip() bool {
	if d.pos >= len(d.data) {
		return false
	}
	switch d.data[d.pos] {
	case '"':
		_, ok := d.str()
		return ok
	case 't':
		return d.lit("true")
	case 'f':
		return d.lit("false")
	case 'n':
		return d.lit("null")
	case '[', '{':
		obj := d.data[d.pos] == '{'
		closer := byte(']')
		if obj {
			closer = '}'
		}
		d.pos++
		d.space()
		if d.pos < len(d.data) && d.data[d.pos] == closer {
			d.pos++
			return true
		}
		var keysBuf [8][]byte
		keys := keysBuf[:0]
		for {
			if obj {
				if d.pos >= len(d.data) || d.data[d.pos] != '"' {
					return false
				}
				start := d.pos
				if _, ok := d.str(); !ok {
					return false
				}
				key := d.data[start:d.pos]
				for _, k := range keys {
					if string(k) == string(key) {
						return false // a duplicate key
					}
				}
				if bytes.IndexByte(key, '\\') >= 0 {
					return false // an escaped key: duplicates are not told by its bytes
				}
				keys = append(keys, key)
				d.space()
				if d.pos >= len(d.data) || d.data[d.pos] != ':' {
					return false
				}
				d.pos++
				d.space()
			}
			if !d.skip() {
				return false
			}
			d.space()
			if d.pos >= len(d.data) {
				return false
			}
			switch d.data[d.pos] {
			case ',':
				d.pos++
				d.space()
			case closer:
				d.pos++
				return true
			default:
				return false
			}
		}
	}
	return false
}

// str reads the string literal at pos and answers its text; false for what
// encoding/json would refuse or repair (a control character, a bad escape,
// invalid UTF-8, an unpaired surrogate).
func (d *fastDec) str() (string, bool) {
	i := d.pos + 1
	start := i
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(d.data[start:i]), true
		case c == '\\':
			return d.escaped(start, i)
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && n == 1 {
				return "", false
			}
			i += n
		}
	}
	return "", false
}

// escaped reads the rest of a string literal begun at start that has an
// escape at i.
func (d *fastDec) escaped(start, i int) (string, bool) {
	b := append(d.buf[:0], d.data[start:i]...)
	defer func() { d.buf = b[:0] }()
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(b), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if i+1 >= len(d.data) {
				return "", false
			}
			switch e := d.data[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := fastHex4(d.data[i+2:])
				if r < 0 {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					var r2 rune = -1
					if len(d.data) >= i+12 && d.data[i+6] == '\\' && d.data[i+7] == 'u' {
						r2 = fastHex4(d.data[i+8:])
					}
					r = utf16.DecodeRune(r, r2)
					if r == utf8.RuneError {
						return "", false // unpaired: encoding/json writes U+FFFD
					}
					i += 6
				}
				b = utf8.AppendRune(b, r)
				i += 4
			default:
				return "", false
			}
			i += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && n == 1 {
				return "", false
			}
			b = append(b, d.data[i:i+n]...)
			i += n
		}
	}
	return "", false
}

// fastHex4 is the value of four hex digits at the start of b, or -1.
func fastHex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

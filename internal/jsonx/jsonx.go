// Package jsonx decodes request bodies strictly: one JSON object, no unknown
// fields anywhere (named by their full path), no trailing data, and errors
// that name the field, so a typo is never silently dropped.
package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"

	"github.com/verity-kyb/verity/internal/apperr"
)

// Paths is implemented by request types whose body is not shaped like the
// customer (a details update is the company's fields at the top level): it
// turns a path in the body into the customer-shaped path that validation
// uses, so one request never mixes two path conventions.
type Paths interface {
	FieldPath(bodyPath string) string
}

// Decode reads exactly one JSON value from body into v. Before decoding it
// refuses, with the customer-shaped path of each problem, what encoding/json
// would silently accept: unknown fields, duplicate keys, invalid UTF-8 and
// unpaired surrogate escapes, and values of the wrong type.
func Decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.BadRequest("malformed_json", "the body is empty; a JSON object is required")
	}
	mapPath := func(p string) string { return p }
	if m, ok := v.(Paths); ok {
		mapPath = m.FieldPath
	}
	// One pass checks the syntax and decodes — fastDecode for a plain body
	// into a zero v, else encoding/json (into v made zero again) —; the
	// checks below run only on a well-formed body and decide before its
	// error does (they are stricter than DisallowUnknownFields), so v is left
	// partly set only by a body that is refused.
	rv := reflect.ValueOf(v)
	fast := rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().IsZero()
	if fast && fastDecode(body, v) { // nothing the checks would refuse
		return objectBody(body, v)
	}
	if fast {
		rv.Elem().SetZero()
	}
	decErr := json.Unmarshal(body, v)
	var syn *json.SyntaxError
	if errors.As(decErr, &syn) && !json.Valid(body) {
		return syntax(body, v, mapPath)
	}
	if err := objectBody(body, v); err != nil {
		return err
	}
	c := checker{data: body, errs: apperr.FieldErrors{}, path: mapPath, steps: make([]step, 0, 8)}
	c.value(reflect.TypeOf(v))
	if len(c.errs) > 0 {
		return apperr.Invalid(c.errs)
	}
	if decErr != nil {
		return describe(decErr, mapPath)
	}
	return nil
}

// objectBody refuses a well-formed body that is not an object for a struct.
func objectBody(body []byte, v any) error {
	t := target(reflect.TypeOf(v))
	if t != nil && t.Kind() == reflect.Struct && bytes.TrimLeft(body, " \t\r\n")[0] != '{' {
		return apperr.BadRequest("malformed_json", "the body must be a JSON object")
	}
	return nil
}

// syntax explains a body that is not one well-formed JSON value.
func syntax(body []byte, v any, mapPath func(string) string) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return describe(err, mapPath)
	}
	return apperr.BadRequest("malformed_json", "unexpected data after the JSON object")
}

func describe(err error, mapPath func(string) string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return apperr.BadRequest("malformed_json", "malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.BadRequest("malformed_json", "the body must be a JSON object")
		}
		return apperr.Invalid(apperr.FieldErrors{mapPath(field): {fmt.Sprintf("must be %s, not %s", kind(typ.Type), typ.Value)}})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.BadRequest("malformed_json", "malformed JSON: the body ends too early")
	}
	return apperr.BadRequest("malformed_json", "%s", strings.TrimPrefix(err.Error(), "json: "))
}

func kind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	}
	return "of another type"
}

// fieldCache holds jsonFields per struct type: request types are few and
// fixed, and every request walks them.
var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps JSON names to field types, following embedded structs.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := structFields(t)
	fieldCache.Store(t, m)
	return m
}

func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name := strings.Split(tag, ",")[0]
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			for k, v := range structFields(ft) {
				out[k] = v
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// Canonical re-encodes one JSON value with object keys sorted, escapes
// resolved and no insignificant white space, so two bodies that mean the same
// (re-indented, keys reordered) give the same bytes.
func Canonical(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

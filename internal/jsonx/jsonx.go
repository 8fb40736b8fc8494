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
	"sort"
	"strings"

	"github.com/verity-kyb/verity/internal/apperr"
)

// Decode reads exactly one JSON value from body into v.
func Decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.BadRequest("malformed_json", "the body is empty; a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			if path := unknownPath(body, reflect.TypeOf(v)); path != "" {
				return apperr.Invalid(apperr.FieldErrors{path: {"is not a known field"}})
			}
		}
		return describe(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.BadRequest("malformed_json", "unexpected data after the JSON object")
	}
	return nil
}

func describe(err error) error {
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
		return apperr.Invalid(apperr.FieldErrors{field: {fmt.Sprintf("must be %s, not %s", kind(typ.Type), typ.Value)}})
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

// unknownPath finds the full path of the first unknown field in body.
func unknownPath(body []byte, t reflect.Type) string {
	var generic any
	if err := json.Unmarshal(body, &generic); err != nil {
		return ""
	}
	return walk("", generic, t)
}

func walk(prefix string, v any, t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "Optional[") {
		if f, ok := t.FieldByName("Value"); ok {
			t = f.Type
		}
	}
	switch val := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return ""
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			ft, ok := fields[k]
			if !ok {
				return p
			}
			if found := walk(p, val[k], ft); found != "" {
				return found
			}
		}
	case []any:
		if t.Kind() != reflect.Slice {
			return ""
		}
		for i, item := range val {
			if found := walk(fmt.Sprintf("%s[%d]", prefix, i), item, t.Elem()); found != "" {
				return found
			}
		}
	}
	return ""
}

// jsonFields maps JSON names to field types, following embedded structs.
func jsonFields(t reflect.Type) map[string]reflect.Type {
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
			for k, v := range jsonFields(ft) {
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

package jsonx

import (
	"bytes"
	"encoding/json"
	"reflect"

	"github.com/verity-kyb/verity/internal/apperr"
)

// DecodeBefore is Decode as it was before it let one pass of encoding/json
// check the syntax and decode: json.Valid, the checks, then a Decoder with
// DisallowUnknownFields. Decode must refuse and accept exactly as it did.
func DecodeBefore(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.BadRequest("malformed_json", "the body is empty; a JSON object is required")
	}
	mapPath := func(p string) string { return p }
	if m, ok := v.(Paths); ok {
		mapPath = m.FieldPath
	}
	if !json.Valid(body) {
		return syntax(body, v, mapPath)
	}
	t := target(reflect.TypeOf(v))
	if t != nil && t.Kind() == reflect.Struct && bytes.TrimLeft(body, " \t\r\n")[0] != '{' {
		return apperr.BadRequest("malformed_json", "the body must be a JSON object")
	}
	c := checker{data: body, errs: apperr.FieldErrors{}, path: mapPath, steps: make([]step, 0, 8)}
	c.value(reflect.TypeOf(v))
	if len(c.errs) > 0 {
		return apperr.Invalid(c.errs)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describe(err, mapPath)
	}
	return nil
}

// Check runs Decode's checks alone on a well-formed body and answers their
// refusals.
func Check(body []byte, v any) apperr.FieldErrors {
	c := checker{data: body, errs: apperr.FieldErrors{}, path: func(p string) string { return p }, steps: make([]step, 0, 8)}
	c.value(reflect.TypeOf(v))
	return c.errs
}

// FastDecode is fastDecode, for tests that it is taken.
func FastDecode(body []byte, v any) bool { return fastDecode(body, v) }

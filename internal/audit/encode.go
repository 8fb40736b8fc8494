package audit

import (
	"encoding/json"
	"strconv"

	"github.com/verity-kyb/verity/internal/jsonx"
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
		b = jsonx.AppendString(b, cs[i].Path)
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
		return jsonx.AppendString(b, x)
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

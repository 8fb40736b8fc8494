package audit

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Diff compares two JSON-shaped values (maps, slices, scalars as produced by
// encoding/json) and lists every leaf path whose value differs, sorted by path.
// Objects nest with dots ("company.address.city"); list items by index
// ("[0]") unless the caller keyed them beforehand: a map key written as
// "[key]" joins without a dot ("company.associates[ref].title").
func Diff(old, new any) []Change {
	a, b := map[string]any{}, map[string]any{}
	flatten("", old, a)
	flatten("", new, b)
	return DiffFlat(a, b)
}

// DiffFlat is Diff of two values already flattened: leaf path → value as
// encoding/json would read it, null values left out.
func DiffFlat(a, b map[string]any) []Change {
	var out []Change
	for p, ov := range a {
		nv, ok := b[p]
		if !ok {
			out = append(out, Change{Path: p, Old: ov, New: nil})
			continue
		}
		if !equalJSON(ov, nv) {
			out = append(out, Change{Path: p, Old: ov, New: nv})
		}
	}
	for p, nv := range b {
		if _, ok := a[p]; !ok {
			out = append(out, Change{Path: p, Old: nil, New: nv})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// JSONValue turns a Go value into the generic shape Diff reads.
func JSONValue(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(raw, &out)
	return out
}

func flatten(prefix string, v any, out map[string]any) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 && prefix != "" {
			return
		}
		for k, child := range t {
			p := k
			if prefix != "" && !strings.HasPrefix(k, "[") {
				p = prefix + "." + k
			} else if prefix != "" {
				p = prefix + k
			}
			flatten(p, child, out)
		}
	case []any:
		for i, child := range t {
			flatten(prefix+"["+strconv.Itoa(i)+"]", child, out)
		}
	case nil:
		// absent and null are the same for the trail
	default:
		out[prefix] = t
	}
}

func equalJSON(a, b any) bool {
	switch x := a.(type) { // the common leaves, without encoding them
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	case int:
		if y, ok := b.(int); ok {
			return x == y
		}
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

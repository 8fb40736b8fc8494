// Package form declares each web form once: its fields with their
// customer-shape paths, labels, input kinds, choices and limits (taken from
// the validation constants). One definition decodes the posted form into the
// service's input type, fills the form from the stored customer, drives the
// rendering of its inputs and words and orders its error summary. It knows
// nothing of echo: handlers hand it url.Values, views hand it to components.
package form

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is how a field is entered.
type Kind string

// The input kinds a field may have.
const (
	Text     Kind = "text"
	Textarea Kind = "textarea"
	Select   Kind = "select"
	Date     Kind = "date" // a text input taking YYYY-MM-DD, the one date format of every page
	Email    Kind = "email"
	Tel      Kind = "tel"
	URL      Kind = "url"
	Checkbox Kind = "checkbox"
	Country  Kind = "country" // a select of countries by name sending the ISO 3166-1 alpha-2 code
	Hidden   Kind = "hidden"
	Password Kind = "password" // sent as typed: never trimmed
	File     Kind = "file"     // a file input; the form must be multipart/form-data
)

// Choice is one option of a select.
type Choice struct {
	Value string
	Label string
}

// Spec is what a view needs to render one field and a summary to name it.
type Spec struct {
	Path         string // customer-shape path relative to the form's root (company.address.city, person.firstName)
	Label        string
	Kind         Kind
	Choices      []Choice // Select only; Country fields list the countries themselves
	Empty        string   // the label of a select's empty choice ("" for none)
	Required     bool
	MaxLength    int    // characters; 0 for none
	Pattern      string // HTML pattern attribute
	Placeholder  string
	Hint         string
	Autocomplete string
	Group        string   // which part of the form the field sits in ("" for the first)
	Wide         bool     // spans the whole row of the form's grid
	Also         []string // other paths the service may report whose messages belong under this input
	Accept       string   // File only: the accept attribute (what the picker offers; the server decides by content)
}

// Values are a form's values as typed, keyed by Spec.Path.
type Values map[string]string

// Field is a Spec with the two halves of its translation: reading the stored
// value (S) and setting the service's input (I).
type Field[S, I any] struct {
	Spec
	get func(*S) string
	set func(*I, string)
}

// clean trims surrounding spaces, except from a password, which is sent as typed.
func (f *Field[S, I]) clean(v string) string {
	if f.Kind == Password {
		return v
	}
	return strings.TrimSpace(v)
}

// Form is one form's fields in the order they are shown.
type Form[S, I any] struct {
	Fields []Field[S, I]
	// labels names paths the service may report that have no input of their own.
	labels map[string]string
}

// Specs lists the fields for rendering, in form order.
func (f *Form[S, I]) Specs() []Spec {
	out := make([]Spec, len(f.Fields))
	for i := range f.Fields {
		out[i] = f.Fields[i].Spec
	}
	return out
}

// Group lists the fields of one group, in form order.
func (f *Form[S, I]) Group(name string) []Spec {
	var out []Spec
	for i := range f.Fields {
		if f.Fields[i].Group == name {
			out = append(out, f.Fields[i].Spec)
		}
	}
	return out
}

// Encode fills the form from a stored value.
func (f *Form[S, I]) Encode(s *S) Values {
	v := Values{}
	for i := range f.Fields {
		if f.Fields[i].get != nil {
			v[f.Fields[i].Path] = f.Fields[i].get(s)
		}
	}
	return v
}

// Read takes the form's values from a posted form, each input named
// prefix+path, trimmed of surrounding spaces (a repeated name: the last).
func (f *Form[S, I]) Read(posted url.Values, prefix string) Values {
	v := Values{}
	for i := range f.Fields {
		if vals := posted[prefix+f.Fields[i].Path]; len(vals) > 0 {
			v[f.Fields[i].Path] = f.Fields[i].clean(vals[len(vals)-1])
		}
	}
	return v
}

// Decode turns the form's values into the service's input; a field that was
// not sent counts as empty.
func (f *Form[S, I]) Decode(v Values) I {
	var in I
	for i := range f.Fields {
		if f.Fields[i].set != nil {
			f.Fields[i].set(&in, f.Fields[i].clean(v[f.Fields[i].Path]))
		}
	}
	return in
}

// Spec returns the field at path, or the field whose input shows path's
// messages (Also), and its position in the form.
func (f *Form[S, I]) Spec(path string) (Spec, int, bool) {
	for i := range f.Fields {
		if f.Fields[i].Path == path {
			return f.Fields[i].Spec, i, true
		}
	}
	for i := range f.Fields {
		for _, a := range f.Fields[i].Also {
			if a == path {
				return f.Fields[i].Spec, i, true
			}
		}
	}
	return Spec{}, -1, false
}

// Label names a path of this form for people: its field's label, or the
// label of a path the service reports without an input; ok is false for
// paths the form does not know.
func (f *Form[S, I]) Label(path string) (string, bool) {
	for i := range f.Fields {
		if f.Fields[i].Path == path {
			return f.Fields[i].Label, true
		}
	}
	l, ok := f.labels[path]
	return l, ok
}

// ID turns a path such as company.address.city into the element id
// company-address-city, which needs no escaping in CSS selectors.
func ID(path string) string {
	return strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(path)
}

// Sentence words a service message about a field as a sentence: "City" and
// "is required" make "City is required."; with no label the message alone
// starts with a capital letter.
func Sentence(label, msg string) string {
	msg = strings.TrimSpace(msg)
	s := msg
	if label != "" {
		s = label + " " + msg
	}
	if r, n := utf8.DecodeRuneInString(s); n > 0 && unicode.IsLower(r) {
		s = string(unicode.ToUpper(r)) + s[n:]
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// Sentences words each message of a field.
func Sentences(label string, msgs []string) []string {
	if len(msgs) == 0 {
		return nil
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = Sentence(label, m)
	}
	return out
}

// Problem is one line of an error summary and the id of the input it links to.
type Problem struct {
	Text   string
	Target string // element id, "" when the message is about no one input
}

// Place is where a form's fields sit in a page: the prefix of their input
// names (company.associates[1].) and ids (a1-), and of their labels in a
// summary ("Associate 2 — ").
type Place struct {
	Name, ID, Label string
}

// InputID is the element id of the input for path at this place.
func (p Place) InputID(path string) string { return p.ID + ID(path) }

// Summary lists every message of errs that belongs to this place (keyed by
// full path) as a sentence, in the order of the form's fields; messages about
// paths the form does not know come last, in path order.
func (f *Form[S, I]) Summary(errs map[string][]string, at Place) []Problem {
	type item struct {
		Problem
		order int
		path  string
	}
	var items []item
	for path, msgs := range errs {
		rel, ok := strings.CutPrefix(path, at.Name)
		if !ok || rel == "" {
			continue
		}
		it := item{order: len(f.Fields), path: path}
		label, _ := f.Label(rel)
		if spec, i, ok := f.Spec(rel); ok && spec.Kind != Hidden {
			it.order, it.Target = i, at.InputID(spec.Path)
			if label == "" {
				label = spec.Label
			}
		}
		if label == "" {
			label = rel
		}
		for _, m := range msgs {
			x := it
			x.Text = Sentence(at.Label+label, m)
			items = append(items, x)
		}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if a.order != b.order {
			return a.order - b.order
		}
		return strings.Compare(a.path, b.path)
	})
	out := make([]Problem, len(items))
	for i := range items {
		out[i] = items[i].Problem
	}
	return out
}

// Errors are the messages to show under the input of spec: its own and those
// of the paths it stands for (Also), as sentences.
func Errors(errs map[string][]string, prefix string, spec Spec) []string {
	msgs := Sentences(spec.Label, errs[prefix+spec.Path])
	for _, a := range spec.Also {
		l := spec.Label
		msgs = append(msgs, Sentences(l, errs[prefix+a])...)
	}
	return msgs
}

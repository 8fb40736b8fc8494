// Package components holds the small, generic templ pieces every Verity page is built from:
// form fields that tie their errors to the input, badges that read without colour, pagination,
// tabs, dialogs. They know nothing about customers; pages pass plain values in.
package components

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"

	"github.com/verity-kyb/verity/internal/validate"
	"github.com/verity-kyb/verity/web/form"
)

// FieldProps describes a text-like input; Errors, when present, are rendered under it and tied to it.
type FieldProps struct {
	ID           string // element id; defaults to Name
	Name         string
	Label        string
	Value        string
	Type         string // input type; defaults to "text"
	Hint         string
	Autocomplete string
	Placeholder  string
	Required     bool
	Errors       []string
	MaxLength    int              // 0 means no limit
	Attrs        templ.Attributes // extra attributes for the <input> (hx-*, inputmode, data-*)
}

// Option is one choice of a Select.
type Option struct {
	Value string
	Label string
}

// SelectProps describes a <select>; Placeholder, when set, adds a first empty option.
type SelectProps struct {
	ID          string // element id; defaults to Name
	Name        string
	Label       string
	Hint        string
	Options     []Option
	Selected    string
	Placeholder string
	Required    bool
	Errors      []string
	Attrs       templ.Attributes
}

// CheckboxProps describes one checkbox; an unchecked box sends nothing, so handlers read absence as false.
type CheckboxProps struct {
	ID      string // element id; defaults to Name
	Name    string
	Label   string
	Hint    string
	Value   string // defaults to "true" so strconv.ParseBool reads it
	Checked bool
	Errors  []string
	Attrs   templ.Attributes
}

// TextareaProps describes a multi-line text field with the same error handling as Field.
type TextareaProps struct {
	ID        string // element id; defaults to Name
	Name      string
	Label     string
	Value     string
	Hint      string
	Rows      int // defaults to 3
	Required  bool
	Errors    []string
	MaxLength int
	Attrs     templ.Attributes
}

// FlashMessage is a one-off notice shown at the top of the next page; Kind is success, error or info.
type FlashMessage struct {
	Kind string
	Text string
}

// PageLinks is what Pagination needs: the 1-based range shown, the total, and neighbour URLs ("" for none).
type PageLinks struct {
	From, To, Total  int
	AtLeast          bool // Total is a lower bound: "of 200+"
	PrevURL, NextURL string
}

// Tab is one entry of a Tabs bar; a negative Count hides the number.
type Tab struct {
	Label string
	URL   string
	Count int
	// AtLeast marks Count as a lower bound (a broad search is counted only so far): shown as "200+".
	AtLeast bool
	Active  bool
	TestID  string // data-testid, for tabs tests look up
}

// fieldID falls back to the field name so a form never renders a label pointing nowhere.
func fieldID(id, name string) string {
	if id != "" {
		return id
	}
	return name
}

// describedBy lists the ids of the error and hint texts that belong to a field, errors first.
func describedBy(id string, hasHint, hasErrors bool) string {
	var ids []string
	if hasErrors {
		ids = append(ids, id+"-error")
	}
	if hasHint {
		ids = append(ids, id+"-hint")
	}
	return strings.Join(ids, " ")
}

// controlAttrs gathers the accessibility attributes shared by every form control.
func controlAttrs(id, hint string, errs []string, extra templ.Attributes) templ.Attributes {
	a := templ.Attributes{}
	for k, v := range extra {
		a[k] = v
	}
	if d := describedBy(id, hint != "", len(errs) > 0); d != "" {
		a["aria-describedby"] = d
	}
	if len(errs) > 0 {
		a["aria-invalid"] = "true"
	}
	return a
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// positiveOr returns n, or def when n is not positive.
func positiveOr(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// formatInt writes n with thousands separators: 1234 → "1,234".
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// humanTime is the one way dates are shown: "2 Jan 2026 14:05 UTC".
func humanTime(t time.Time) string {
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

// errorCount counts every message in a field-errors map.
func errorCount(errs map[string][]string) int {
	n := 0
	for _, msgs := range errs {
		n += len(msgs)
	}
	return n
}

// plusIf marks a count that is a lower bound ("200+").
func plusIf(atLeast bool) string {
	if atLeast {
		return "+"
	}
	return ""
}

// RiskOptions are the risk scores as a select offers them, in the API's words.
var RiskOptions = func() []Option {
	out := make([]Option, len(form.RiskChoices))
	for i, c := range form.RiskChoices {
		out[i] = Option(c)
	}
	return out
}()

// Labelled prefixes each message with its field's label, so a summary at the
// top of a form says which field each message is about; fields without a
// label keep their path. (The declared forms of web/form word theirs as
// sentences instead: form.Sentence.)
func Labelled(errs map[string][]string, labels map[string]string) map[string][]string {
	if len(errs) == 0 {
		return nil
	}
	out := make(map[string][]string, len(errs))
	for path, msgs := range errs {
		label, ok := labels[path]
		if !ok {
			label = path
		}
		for _, m := range msgs {
			out[path] = append(out[path], label+": "+m)
		}
	}
	return out
}

// ControlProps is one declared field to render: its definition, the input's
// id and name, the value as typed and its messages (already sentences).
type ControlProps struct {
	Spec   form.Spec
	ID     string
	Name   string
	Value  string
	Errors []string
	Attrs  templ.Attributes
}

// shownValue is the value an input shows: a password is never sent back.
func shownValue(p ControlProps) string {
	if p.Spec.Kind == form.Password {
		return ""
	}
	return p.Value
}

// inputType is the HTML type of a text-like kind; dates are text with a
// pattern, so every browser shows YYYY-MM-DD as the rest of Verity does.
func inputType(k form.Kind) string {
	switch k {
	case form.Email, form.Tel, form.URL, form.Password:
		return string(k)
	}
	return "text"
}

// inputAttrs adds what a kind needs beyond FieldProps: the pattern and a
// numeric keyboard for dates.
func inputAttrs(s form.Spec, extra templ.Attributes) templ.Attributes {
	a := templ.Attributes{}
	for k, v := range extra {
		a[k] = v
	}
	if s.Pattern != "" {
		a["pattern"] = s.Pattern
	}
	if s.Kind == form.Date {
		a["inputmode"] = "numeric"
	}
	return a
}

var (
	countryOnce sync.Once
	countryList []Option
)

// countryOptions lists the ISO 3166-1 countries the validation accepts, by
// name with the code ("Germany (DE)"), so typing a name finds it.
func countryOptions() []Option {
	countryOnce.Do(func() {
		for _, c := range validate.CountryCodes() {
			countryList = append(countryList, Option{Value: c.Code, Label: c.Name + " (" + c.Code + ")"})
		}
	})
	return countryList
}

// choices are a select's options; a value that is not among them (an
// outdated stored code, a crafted form) is kept as a first option, so
// nothing is lost on a re-render.
func choices(s form.Spec, value string) []Option {
	var all []Option
	if s.Kind == form.Country {
		all = countryOptions()
	} else {
		for _, c := range s.Choices {
			all = append(all, Option(c))
		}
	}
	if value == "" {
		return all
	}
	for _, o := range all {
		if o.Value == value {
			return all
		}
	}
	return append([]Option{{Value: value, Label: value + " (unknown code)"}}, all...)
}

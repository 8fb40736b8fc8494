package customerview

import (
	"strings"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/form"
)

// changedFieldsText names the fields a newer change touched, as the forms
// label them, an associate's field with the associate's name.
func changedFieldsText(c *customer.Customer, paths []string) string {
	seen := map[string]bool{}
	names := make([]string, 0, len(paths))
	for _, p := range paths {
		name := pathLabel(p)
		if ref, _, ok := customer.AssociateOfPath(p); ok {
			name = associateName(c, ref, "") + " — " + name
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

// cardItem is one company field as the details card shows it.
type cardItem struct {
	Label, Value, TestID, Class string
	Lines                       bool
}

// cardItems are the company fields of the details form (the address is
// shown as one block), read from the same definition the form uses, so a
// field added there shows here too.
func cardItems(c *customer.Customer) []cardItem {
	vals := form.Details.Encode(c)
	var out []cardItem
	for _, s := range form.Details.Group(form.GroupCompany) {
		it := cardItem{Label: s.Label, Value: vals[s.Path], TestID: "detail-" + s.Path[strings.LastIndex(s.Path, ".")+1:]}
		switch s.Kind {
		case form.Country:
			it.Value = countryText(it.Value)
		case form.Select:
			for _, ch := range s.Choices {
				if ch.Value == it.Value {
					it.Value = ch.Label
				}
			}
		case form.Textarea:
			it.Lines = true
		}
		if s.Wide {
			it.Class = "sm:col-span-2"
		}
		out = append(out, it)
	}
	return out
}

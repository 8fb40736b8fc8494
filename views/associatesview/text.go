package associatesview

import (
	"strconv"
	"strings"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/form"
)

func itoa(n int) string { return strconv.Itoa(n) }

func editURL(c *customer.Customer) string {
	return "/customers/" + c.Reference.String() + "/associates/edit"
}
func saveURL(c *customer.Customer) string {
	return "/customers/" + c.Reference.String() + "/associates"
}

// place is where row idx's inputs sit: named by the service's field paths
// (company.associates[i].person.firstName) so its errors land under them, with
// ids a<i>-person-firstName; rows are numbered by position when the server renders them.
func place(idx, number string) form.Place {
	return form.Place{Name: form.RowPrefix(idx), ID: "a" + idx + "-", Label: "Associate " + number + " — "}
}

// rowPath is the path of the row itself, where the service reports problems of the whole associate.
func rowPath(idx string) string { return strings.TrimSuffix(form.RowPrefix(idx), ".") }

// rowID is the id of a row's fieldset.
func rowID(idx string) string { return "associate-" + idx }

// bodyID is the id of the part of a row that a compact row folds away.
func bodyID(idx string) string { return "associate-" + idx + "-body" }

func docText(a customer.Associate) string {
	d := a.Details.DocumentInfo
	return documentLabel(*d.Type) + " " + *d.Number + " (" + *d.IssuingCountryCode + ")"
}

func documentLabel(t string) string {
	for _, o := range form.DocumentChoices {
		if o.Value == t {
			return o.Label
		}
	}
	return strings.ReplaceAll(strings.ToLower(t), "_", " ")
}

// missingDocument says in words what approval still needs of an associate's identity document.
func missingDocument(a customer.Associate) string {
	d := a.Details.DocumentInfo
	return lacking(d.Type == nil, d.Number == nil, d.IssuingCountryCode == nil)
}

func lacking(noType, noNumber, noCountry bool) string {
	var lacks []string
	if noType {
		lacks = append(lacks, "type")
	}
	if noNumber {
		lacks = append(lacks, "number")
	}
	if noCountry {
		lacks = append(lacks, "issuing country")
	}
	if len(lacks) == 3 {
		return "Missing"
	}
	return "Incomplete: no " + strings.Join(lacks, ", no ")
}

func fullName(r Row) string {
	return strings.TrimSpace(r.Values["person.firstName"] + " " + r.Values["person.lastName"])
}

func nameSuffix(r Row) string {
	if n := fullName(r); n != "" {
		return ": " + n
	}
	return ""
}

// rowDocument is a row's identity document as its compact summary shows it, and whether it is complete.
func rowDocument(r Row) (string, bool) {
	t, n, c := r.Values["details.documentInfo.type"], r.Values["details.documentInfo.number"], r.Values["details.documentInfo.issuingCountryCode"]
	if t != "" && n != "" && c != "" {
		return documentLabel(t) + " " + n + " (" + c + ")", true
	}
	return "Document: " + strings.ToLower(lacking(t == "", n == "", c == "")), false
}

func hasAddress(r Row) bool {
	for _, s := range form.Associate.Group(form.GroupHomeAddress) {
		if r.Values[s.Path] != "" {
			return true
		}
	}
	return false
}

func hasErrors(v EditorView, idx string) bool {
	prefix := rowPath(idx)
	for k := range v.Errors {
		if k == prefix || strings.HasPrefix(k, prefix+".") {
			return true
		}
	}
	return false
}

func hasAddressErrors(v EditorView, idx string) bool {
	prefix := form.RowPrefix(idx) + "person.address"
	for k := range v.Errors {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// compact tells whether a row starts folded to its summary (with JavaScript): a saved associate
// without errors. New rows and rows with errors open expanded.
func compact(v EditorView, r Row, idx string) bool {
	return r.Values["person.reference"] != "" && !hasErrors(v, idx)
}

// summary says, for each message, which associate and which field it is about, as a sentence,
// linked to the input: messages about the list first, then associates in form order, fields in
// the order of the row.
func summary(v EditorView) []form.Problem {
	var out []form.Problem
	for p, msgs := range v.Errors {
		if _, _, ok := form.RowIndex(p); !ok {
			for _, m := range msgs {
				out = append(out, form.Problem{Text: form.Sentence("", m), Target: "associate-rows"})
			}
		}
	}
	for i, r := range v.Rows {
		idx, number := itoa(r.Index), itoa(i+1)
		for _, m := range v.Errors[rowPath(idx)] {
			out = append(out, form.Problem{Text: form.Sentence("Associate "+number, m), Target: rowID(idx)})
		}
		for _, p := range form.Associate.Summary(v.Errors, place(idx, number)) {
			if p.Target == "" {
				p.Target = rowID(idx)
			}
			out = append(out, p)
		}
	}
	return out
}

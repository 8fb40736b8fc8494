package customerview

import (
	"strconv"
	"strings"

	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
)

// entryView is one history entry in words: the customer's own fields as
// rows, and what happened to each associate as a line per person.
type entryView struct {
	Fields []fieldRow
	People []personLine
}

// fieldRow is one changed field of the customer, by its label.
type fieldRow struct{ Label, Old, New string }

// personLine is one sentence about one associate: "Maria Costa removed",
// "Elias Fischer: e-mail a@x → b@x".
type personLine struct {
	Reference string
	Text      string
	Href      string // where the line's subject is shown (a document's viewer), "" for none
}

// describe words an audit entry. c is the customer as it is now, which names
// the associates still on it; docs name the documents.
func describe(c *customer.Customer, docs Docs, e audit.Entry) entryView {
	if isDocumentEntry(e) {
		return entryView{People: []personLine{documentEntryLine(c, docs, e)}}
	}
	own, people := customer.SplitChanges(c, e.Changes)
	var v entryView
	for _, ch := range own {
		v.Fields = append(v.Fields, fieldRow{Label: pathLabel(ch.Path), Old: valueText(ch.Old), New: valueText(ch.New)})
	}
	for _, p := range people {
		name := p.Name
		if name == "" {
			name = associateName(c, p.Reference, "")
		}
		switch {
		case p.Added:
			text := name + " added"
			if roles := rolesText(p); roles != "" {
				text += ": " + roles
			}
			v.People = append(v.People, personLine{Reference: p.Reference, Text: text})
		case p.Removed:
			v.People = append(v.People, personLine{Reference: p.Reference, Text: name + " removed"})
		default:
			for _, ch := range p.Changes {
				label := lowerFirst(pathLabel("company.associates[" + p.Reference + "]." + ch.Path))
				old, nu := valueText(ch.Old), valueText(ch.New)
				if ch.Path == "position" { // stored from 0; people count from 1
					old, nu = positionText(ch.Old), positionText(ch.New)
				}
				v.People = append(v.People, personLine{Reference: p.Reference, Text: name + ": " + label + " " + old + " → " + nu})
			}
		}
	}
	return v
}

// rolesText sums up a new associate: its title and the roles its badges show.
func rolesText(p customer.PersonChange) string {
	var parts []string
	if t, _ := p.Value("title").(string); t != "" {
		parts = append(parts, t)
	}
	for _, r := range []struct{ field, word string }{
		{"controls.hasOwnership", "owner"}, {"controls.hasControl", "control"}, {"controls.isSigner", "signer"},
	} {
		if p.Value(r.field) == true {
			parts = append(parts, r.word)
		}
	}
	return strings.Join(parts, ", ")
}

// associateName is how people know an associate: its name on the customer
// now, else fallback, else the start of its reference.
func associateName(c *customer.Customer, ref, fallback string) string {
	if c != nil {
		for i := range c.Company.Associates {
			if a := &c.Company.Associates[i]; a.Person.Reference.String() == ref {
				return a.FullName()
			}
		}
	}
	if fallback != "" {
		return fallback
	}
	if len(ref) > 8 {
		ref = ref[:8]
	}
	return "Associate " + ref
}

func positionText(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.Itoa(int(f) + 1)
	}
	return valueText(v)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// previewText is the customer page's short line for an entry: what happened
// to whom for an associates change ("Grace Hopper added; Maria Costa
// removed"), else how many fields changed and, for a creation or import,
// how many associates came with it.
func previewText(c *customer.Customer, docs Docs, e audit.Entry) string {
	if isDocumentEntry(e) {
		return documentEntryLine(c, docs, e).Text
	}
	own, people := customer.SplitChanges(c, e.Changes)
	if e.Action == audit.ActionCustomerAssociates {
		parts := make([]string, 0, len(people))
		for _, p := range people {
			name := p.Name
			if name == "" {
				name = associateName(c, p.Reference, "")
			}
			switch {
			case p.Added:
				parts = append(parts, name+" added")
			case p.Removed:
				parts = append(parts, name+" removed")
			default:
				parts = append(parts, name+" changed")
			}
		}
		return strings.Join(parts, "; ")
	}
	var parts []string
	if len(own) > 0 {
		parts = append(parts, plural(len(own), "field changed", "fields changed"))
	}
	if len(people) > 0 {
		parts = append(parts, plural(len(people), "associate", "associates"))
	}
	return strings.Join(parts, ", ")
}

// entryTitle names an entry in the timeline: a note is "Note", anything
// else its action in words.
func entryTitle(e audit.Entry) string {
	if e.Action == audit.ActionCustomerNote {
		return "Note"
	}
	if isDocumentEntry(e) {
		return documentEntryTitle(e)
	}
	return actionText(e.Action)
}

// isNote tells a stand-alone note's entry (whose reason is the note's text)
// from a change; a status change's reason is that change's note and shows
// with it, once.
func isNote(e audit.Entry) bool { return e.Action == audit.ActionCustomerNote && e.Reason != nil }

// noteAuthor names who wrote a note, as the history names actors.
func noteAuthor(n customer.Note) string {
	return who(audit.Entry{ActorType: n.AuthorType, ActorName: n.AuthorName})
}

// noteMove words the status change a note gave the reason for.
func noteMove(n customer.Note) string {
	if n.StatusFrom == nil || n.StatusTo == nil {
		return ""
	}
	if *n.StatusFrom == *n.StatusTo { // "Confirm verification" keeps the status
		return "reason for confirming the verification"
	}
	return "reason for " + strings.ToLower(MoveName(*n.StatusTo)) + " (" + string(*n.StatusFrom) + " → " + string(*n.StatusTo) + ")"
}

// previewNote shortens a note for the recent changes: the first 200
// characters; the history shows it whole.
func previewNote(s string) string {
	r := []rune(s)
	if len(r) <= 200 {
		return s
	}
	return string(r[:200]) + "…"
}

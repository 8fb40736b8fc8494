package customerview

import (
	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
)

// Docs are a customer's documents by reference, for naming them in the
// history (a review entry records only the decision; the document says what
// was decided on).
type Docs map[string]*document.Document

// IndexDocuments indexes a customer's documents (document.Service.List).
func IndexDocuments(list []document.Document) Docs {
	out := make(Docs, len(list))
	for i := range list {
		out[list[i].Reference.String()] = &list[i]
	}
	return out
}

// isDocumentEntry tells the entries of package document's audit actions.
func isDocumentEntry(e audit.Entry) bool {
	return e.Action == document.ActionUpload || e.Action == document.ActionReview
}

// changeValue is the new value of one of an entry's paths, "" when absent.
func changeValue(e audit.Entry, path string) string {
	for _, ch := range e.Changes {
		if ch.Path == path {
			if s, ok := ch.New.(string); ok {
				return s
			}
		}
	}
	return ""
}

// documentEntryTitle names a document entry: "Document uploaded", "Document
// replaced" (an upload that superseded one), "Document accepted", "Document
// rejected".
func documentEntryTitle(e audit.Entry) string {
	if e.Action == document.ActionUpload {
		if changeValue(e, "supersedes") != "" {
			return "Document replaced"
		}
		return "Document uploaded"
	}
	switch document.State(changeValue(e, "state")) {
	case document.StateAccepted:
		return "Document accepted"
	case document.StateRejected:
		return "Document rejected"
	}
	return "Document reviewed"
}

// documentEntryLine says what a document entry was about, in words:
// "Passport of Sean Bond: passport.pdf (1.2 MB), replacing an earlier
// upload", "Company document — Register extract: extract.pdf: Pending review
// → Rejected"; with the address of the document's viewer.
func documentEntryLine(c *customer.Customer, docs Docs, e audit.Entry) personLine {
	ref := ""
	if e.Subject != nil {
		ref = *e.Subject
	}
	d := docs[ref]
	var line personLine
	if _, err := uuid.Parse(ref); err == nil && c != nil {
		line.Reference, line.Href = ref, documentsURL(c)+"/"+ref
	}
	if e.Action == document.ActionUpload {
		what := document.Type(changeValue(e, "type")).Label()
		if st := changeValue(e, "subType"); st != "" {
			what += " — " + document.SubType(st).Label()
		}
		if person := changeValue(e, "person"); person != "" {
			what += " of " + associateName(c, person, changeValue(e, "personName"))
		}
		text := what + ": " + changeValue(e, "name")
		for _, ch := range e.Changes {
			if n, ok := ch.New.(float64); ok && ch.Path == "size" {
				text += " (" + sizeText(int64(n)) + ")"
			}
		}
		if changeValue(e, "supersedes") != "" {
			text += ", replacing an earlier upload"
		}
		line.Text = text
		return line
	}
	what := "A document"
	if d != nil {
		what = docTitle(d)
		if d.PersonRef != nil {
			what += " of " + associateName(c, d.PersonRef.String(), d.PersonName)
		}
		what += ": " + d.Name
	}
	var old string
	for _, ch := range e.Changes {
		if ch.Path == "state" {
			old, _ = ch.Old.(string)
		}
	}
	line.Text = what + ": " + document.State(old).Label() + " → " + document.State(changeValue(e, "state")).Label()
	return line
}

package customerview

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/web/form"
)

// DocumentsView is the customer page's Documents section.
type DocumentsView struct {
	C      *customer.Customer
	List   []document.Document // every document, as the service lists them
	Groups []DocumentGroup
	// Missing is the evidence the approval rule wants and the customer
	// lacks; Required says the rule is on (APPROVAL_REQUIRES_DOCUMENTS), so
	// it blocks approval, else it is a warning.
	Missing   []customer.Problem
	Required  bool
	CanUpload bool
	Upload    UploadFormView
}

// DocumentGroup is the company's documents or one associate's.
type DocumentGroup struct {
	Title   string // "Company" or the associate's name
	Person  string // the associate's person.reference, "" for the company
	Removed bool   // the associate is no longer on the list; its documents stay
	Items   []DocumentItem
}

// DocumentItem is a current document with the versions it superseded.
type DocumentItem struct {
	document.Document
	Earlier []document.Document // newest first
}

// UploadFormView is the upload form, in the section or on its own page.
type UploadFormView struct {
	C      *customer.Customer
	Values form.Values
	Errors map[string][]string
	// Whose are the person choices: the company ("") and the current associates.
	Whose   []form.Choice
	MaxSize string // the per-file limit in words ("10 MiB")
	CSRF    string
}

// GroupDocuments sorts a customer's documents (as document.Service.List gives
// them, superseded ones too) into the company's, each current associate's in
// list order (also those without documents), then removed associates' with
// documents; superseded versions fold under the document that replaced them.
func GroupDocuments(c *customer.Customer, docs []document.Document) []DocumentGroup {
	byRef := make(map[uuid.UUID]*document.Document, len(docs))
	for i := range docs {
		byRef[docs[i].Reference] = &docs[i]
	}
	// latest follows the supersession chain to the current version.
	latest := func(d *document.Document) *document.Document {
		for n := 0; d.SupersededBy != nil && n < len(docs); n++ {
			next, ok := byRef[*d.SupersededBy]
			if !ok {
				break
			}
			d = next
		}
		return d
	}
	groups := []DocumentGroup{{Title: "Company"}}
	index := map[string]int{"": 0}
	for i := range c.Company.Associates {
		a := &c.Company.Associates[i]
		ref := a.Person.Reference.String()
		index[ref] = len(groups)
		groups = append(groups, DocumentGroup{Title: a.FullName(), Person: ref})
	}
	items := map[uuid.UUID]int{} // current document → its index in its group
	for i := range docs {
		d := &docs[i]
		if !d.Current() {
			continue
		}
		g := groupOf(d, index, &groups)
		items[d.Reference] = len(groups[g].Items)
		groups[g].Items = append(groups[g].Items, DocumentItem{Document: *d})
	}
	for i := range docs {
		d := &docs[i]
		if d.Current() {
			continue
		}
		top := latest(d)
		g := groupOf(top, index, &groups)
		if j, ok := items[top.Reference]; ok && top.Current() {
			groups[g].Items[j].Earlier = append(groups[g].Items[j].Earlier, *d)
			continue
		}
		// A broken chain (never expected): show the old version on its own.
		groups[g].Items = append(groups[g].Items, DocumentItem{Document: *d})
	}
	return groups
}

// groupOf finds (or adds, for a removed associate) the group of d's person.
func groupOf(d *document.Document, index map[string]int, groups *[]DocumentGroup) int {
	key := ""
	if d.PersonRef != nil {
		key = d.PersonRef.String()
	}
	if g, ok := index[key]; ok {
		return g
	}
	name := d.PersonName
	if name == "" {
		name = "Associate " + key[:8]
	}
	index[key] = len(*groups)
	*groups = append(*groups, DocumentGroup{Title: name, Person: key, Removed: true})
	return index[key]
}

// WhoseChoices are the upload form's person choices: the company, then each
// current associate by name.
func WhoseChoices(c *customer.Customer) []form.Choice {
	out := []form.Choice{{Value: "", Label: "The company"}}
	for i := range c.Company.Associates {
		a := &c.Company.Associates[i]
		out = append(out, form.Choice{Value: a.Person.Reference.String(), Label: a.FullName()})
	}
	return out
}

// documentsURL is where the upload form posts.
func documentsURL(c *customer.Customer) string {
	return "/customers/" + c.Reference.String() + "/documents"
}

// UploadPageURL is the upload form on a page of its own, for a person ("" the
// company) and a document type ("" any).
func UploadPageURL(c *customer.Customer, person string, typ document.Type) string {
	q := url.Values{}
	if person != "" {
		q.Set("person", person)
	}
	if typ != "" {
		q.Set("type", string(typ))
	}
	if len(q) == 0 {
		return documentsURL(c) + "/new"
	}
	return documentsURL(c) + "/new?" + q.Encode()
}

// DocumentURL is a document's viewer page.
func DocumentURL(c *customer.Customer, d *document.Document) string {
	return documentsURL(c) + "/" + d.Reference.String()
}

// contentURL serves a document's bytes (inline for images and PDFs).
func contentURL(c *customer.Customer, d *document.Document) string {
	return DocumentURL(c, d) + "/content"
}

// downloadURL serves them as an attachment.
func downloadURL(c *customer.Customer, d *document.Document) string {
	return contentURL(c, d) + "?download=1"
}

// reviewPostURL is where the viewer's review forms post.
func reviewPostURL(v DocumentPageView) string { return DocumentURL(v.C, v.D) + "/review" }

// DocumentTitle names a document by what it is: "Company document — Register extract", "Passport".
func DocumentTitle(d *document.Document) string { return docTitle(d) }

func docTitle(d *document.Document) string {
	if d.SubType == "" {
		return d.Type.Label()
	}
	return d.Type.Label() + " — " + d.SubType.Label()
}

// sizeText says a file's size for people: "842 bytes", "12 KB", "3.4 MB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".0") + " MB"
	case n >= 1<<10:
		return strconv.FormatInt((n+512)>>10, 10) + " KB"
	}
	return plural(int(n), "byte", "bytes")
}

// LimitText says a configured byte limit: "10 MiB", "512 KiB".
func LimitText(n int64) string {
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n>>10, 10) + " KiB"
}

// earlierText folds superseded versions: "1 earlier version", "2 earlier versions".
func earlierText(n int) string { return plural(n, "earlier version", "earlier versions") }

// documentCount sums the section up: "3 documents, 1 pending review".
func documentCount(groups []DocumentGroup) string {
	n, pending := 0, 0
	for _, g := range groups {
		for _, it := range g.Items {
			n++
			if it.State == document.StatePending && it.Current() {
				pending++
			}
		}
	}
	s := plural(n, "current document", "current documents")
	if pending > 0 {
		s += ", " + strconv.Itoa(pending) + " pending review"
	}
	return s
}

// groupType is the type a group's upload link starts with: a company
// document for the company, any for an associate.
func groupType(g DocumentGroup) document.Type {
	if g.Person == "" {
		return document.TypeCompanyDoc
	}
	return ""
}

// subTypesJSON maps each document type to the sub-types it takes, for the
// upload script, which offers only those (the service checks them anyway).
func subTypesJSON() string {
	m := map[document.Type][]document.SubType{}
	for _, t := range document.Types() {
		m[t] = document.SubTypes(t)
		if m[t] == nil {
			m[t] = []document.SubType{}
		}
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}

// boolText is a data attribute's "true" or "false".
func boolText(b bool) string { return strconv.FormatBool(b) }

// withHint is spec with a hint known only per request (the configured limit).
func withHint(spec form.Spec, hint string) form.Spec {
	spec.Hint = hint
	return spec
}

// uploadPlace names the upload form's inputs (by the form's paths) and gives
// them ids of their own on the customer page.
var uploadPlace = form.Place{ID: "doc-"}

package form

import (
	"strings"

	"github.com/verity-kyb/verity/internal/document"
)

// DocumentAccept is what the upload's file picker offers; the service decides
// by the bytes, never by the name or the browser's claim.
const DocumentAccept = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"

// DocumentTypeChoices are the document types, company first, by their labels.
var DocumentTypeChoices = func() []Choice {
	var out []Choice
	for _, t := range document.Types() {
		out = append(out, Choice{Value: string(t), Label: t.Label()})
	}
	return out
}()

// DocumentSubTypeChoices are every sub-type once, each saying which types
// take it ("Front side (ID card, driver's licence, residence permit)").
var DocumentSubTypeChoices = func() []Choice {
	var out []Choice
	seen := map[document.SubType]int{}
	var takers [][]string
	for _, t := range document.Types() {
		for _, st := range document.SubTypes(t) {
			i, ok := seen[st]
			if !ok {
				i = len(out)
				seen[st] = i
				out = append(out, Choice{Value: string(st), Label: st.Label()})
				takers = append(takers, nil)
			}
			takers[i] = append(takers[i], strings.ToLower(t.Label()))
		}
	}
	for i := range out {
		out[i].Label += " (" + strings.Join(takers[i], ", ") + ")"
	}
	return out
}()

// Document is the upload form of the customer page (one file with what it
// is and whose it is). The whose-choices (the company and the current
// associates) are known per request: the page fills them in. The file comes
// last in the form, so its metadata has arrived before its bytes are
// streamed; the file's name is the part's file name. The service's field
// paths of the first file ("[0].type", "[0].customerPersonReference",
// "[0].content") are read without their "[0]." (UploadErrors).
var Document = Form[document.Document, document.Meta]{Fields: []Field[document.Document, document.Meta]{
	{Spec: Spec{Path: "person", Label: "Whose document", Kind: Select, Also: []string{"customerPersonReference"},
		Hint: "The company, or one of its associates."},
		get: func(d *document.Document) string {
			if d.PersonRef == nil {
				return ""
			}
			return d.PersonRef.String()
		},
		set: func(in *document.Meta, v string) { in.PersonReference = v }},
	{Spec: Spec{Path: "type", Label: "Document type", Kind: Select, Required: true, Choices: DocumentTypeChoices, Empty: "Choose a type"},
		get: func(d *document.Document) string { return string(d.Type) },
		set: func(in *document.Meta, v string) { in.Type = v }},
	{Spec: Spec{Path: "subType", Label: "Sub-type", Kind: Select, Choices: DocumentSubTypeChoices, Empty: "None",
		Hint: "Which company document, or which side of a card."},
		get: func(d *document.Document) string { return string(d.SubType) },
		set: func(in *document.Meta, v string) { in.SubType = v }},
	{Spec: Spec{Path: "description", Label: "Remarks", Kind: Textarea, MaxLength: document.MaxDescription, Wide: true,
		Hint: "Optional: anything a reviewer should know (the API's description)."},
		get: func(d *document.Document) string { return d.Description },
		set: func(in *document.Meta, v string) { in.Description = v }},
	{Spec: Spec{Path: "file", Label: "File", Kind: File, Required: true, Accept: DocumentAccept, Wide: true,
		Also: []string{"content", "name"}}},
}}

// DocumentFileHint says what the upload takes, with the configured limit.
func DocumentFileHint(limit string) string {
	return "A PDF, JPEG or PNG of at most " + limit + ". The file's content decides its type, not its name."
}

// UploadErrors are the service's field errors about the first file of an
// upload, by this form's paths ("[0].type" → "type").
func UploadErrors(errs map[string][]string) map[string][]string {
	if errs == nil {
		return nil
	}
	out := make(map[string][]string, len(errs))
	for path, msgs := range errs {
		out[strings.TrimPrefix(path, "[0].")] = append(out[strings.TrimPrefix(path, "[0].")], msgs...)
	}
	return out
}

// DocumentReason is the one field of the viewer's Reject form; the service
// requires it for a rejection.
var DocumentReason = Spec{Path: "reason", Label: "Reason for rejecting", Kind: Textarea, Required: true, MaxLength: document.MaxReason,
	Hint: "Required to reject. Kept in the customer's history."}

package form

import "github.com/verity-kyb/verity/internal/validate"

// Note is the one field of the customer page's note form: plain text on
// many lines, its limit the service's (validate.MaxNote).
var Note = Spec{Path: "text", Label: "Note", Kind: Textarea, Required: true, MaxLength: validate.MaxNote,
	Hint: "Plain text, kept for good: notes cannot be edited or deleted."}

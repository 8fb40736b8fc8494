package customerview

import (
	"strconv"
	"strings"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
)

// problemHref is where a person fixes an approval problem: the upload form
// for a missing or rejected document (for its associate), the Documents
// section for one waiting for review, the associates
// editor at the input it names (built from the problem's associate and
// field, never from its sentence or path), the editor itself for the list
// as a whole, the history for four-eyes (whose change it was); "" when
// nothing on the site fixes it.
func problemHref(c *customer.Customer, p customer.Problem) string {
	editor := "/customers/" + c.Reference.String() + "/associates/edit"
	switch {
	case p.Code == document.ProblemDocumentPending:
		return "/customers/" + c.Reference.String() + "#documents"
	case p.Code == document.ProblemDocumentMissing || p.Code == document.ProblemDocumentRejected:
		if p.Associate >= 0 && p.Associate < len(c.Company.Associates) {
			return UploadPageURL(c, c.Company.Associates[p.Associate].Person.Reference.String(), "")
		}
		return UploadPageURL(c, "", document.TypeCompanyDoc)
	case p.Associate >= 0 && p.Field != "":
		return editor + "#" + associateInputID(p.Associate, p.Field)
	case p.Associate >= 0:
		return editor + "#associate-" + strconv.Itoa(p.Associate)
	case p.Code == customer.ProblemNoControl && len(c.Company.Associates) > 0:
		return editor + "#" + associateInputID(0, "controls.hasControl")
	case p.Code == customer.ProblemNoAssociates || p.Code == customer.ProblemNoControl:
		return editor + "#associates"
	case p.Code == customer.ProblemFourEyes:
		return "/customers/" + c.Reference.String() + "/history"
	}
	return ""
}

// associateInputID is the id of an input in the associates editor: "a",
// the row's index, then the field with dots as dashes
// (company.associates[0].person.dateOfBirth → a0-person-dateOfBirth).
func associateInputID(i int, field string) string {
	return "a" + strconv.Itoa(i) + "-" + strings.ReplaceAll(field, ".", "-")
}

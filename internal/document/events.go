package document

import (
	"github.com/google/uuid"
)

// eventDocument is the "document" of a document event's data
// (docs/webhooks.md): which document, whose, and its review state.
type eventDocument struct {
	Reference               uuid.UUID  `json:"reference"`
	CustomerPersonReference *uuid.UUID `json:"customerPersonReference"`
	Type                    Type       `json:"type"`
	SubType                 *SubType   `json:"subType"`
	Name                    string     `json:"name"`
	State                   State      `json:"state"`
	Reason                  string     `json:"reason,omitempty"`
	Supersedes              *uuid.UUID `json:"supersedes,omitempty"`
}

// eventOf is d as a document event tells it; old is the document d
// replaced, if any.
func eventOf(d *Document, old *row) eventDocument {
	out := eventDocument{Reference: d.Reference, CustomerPersonReference: d.PersonRef, Type: d.Type, Name: d.Name,
		State: d.State, Reason: d.Reason}
	if d.SubType != "" {
		sub := d.SubType
		out.SubType = &sub
	}
	if old != nil {
		ref := old.Reference
		out.Supersedes = &ref
	}
	return out
}

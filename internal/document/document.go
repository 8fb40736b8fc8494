// Package document holds the evidence behind a verification: the files
// uploaded for a customer and its associates, their review, and the rule that
// approval may require them. It sits beside package customer and imports it;
// customer never imports document (the approval check reaches the evidence
// rule through customer.Options.Evidence, set at wiring time).
package document

import (
	"io"
	"time"

	"github.com/google/uuid"
)

// Type is what a document is (BVNK's words).
type Type string

// The document types: one for the company, the rest for an associate.
const (
	TypeCompanyDoc      Type = "COMPANY_DOC"
	TypePassport        Type = "PASSPORT"
	TypeIDCard          Type = "ID_CARD"
	TypeDriversLicense  Type = "DRIVERS_LICENSE"
	TypeResidencePermit Type = "RESIDENCE_PERMIT"
	TypeSelfie          Type = "SELFIE"
	TypeUtilityBill     Type = "UTILITY_BILL"
)

// SubType narrows a type: which company document, or which side of a card.
type SubType string

// The sub-types.
const (
	SubIncorporationCert   SubType = "INCORPORATION_CERT"
	SubRegisterExtract     SubType = "REGISTER_EXTRACT"
	SubShareholderRegister SubType = "SHAREHOLDER_REGISTER"
	SubProofOfAddress      SubType = "PROOF_OF_ADDRESS"
	SubFrontSide           SubType = "FRONT_SIDE"
	SubBackSide            SubType = "BACK_SIDE"
)

// State is where a document stands in review.
type State string

// The review states.
const (
	StatePending  State = "PENDING_REVIEW"
	StateAccepted State = "ACCEPTED"
	StateRejected State = "REJECTED"
)

// types lists every type in the order forms offer them, with labels.
var types = []struct {
	t     Type
	label string
	subs  []SubType
}{
	{TypeCompanyDoc, "Company document", []SubType{SubIncorporationCert, SubRegisterExtract, SubShareholderRegister, SubProofOfAddress}},
	{TypePassport, "Passport", []SubType{SubFrontSide, SubBackSide}},
	{TypeIDCard, "ID card", []SubType{SubFrontSide, SubBackSide}},
	{TypeDriversLicense, "Driver's licence", []SubType{SubFrontSide, SubBackSide}},
	{TypeResidencePermit, "Residence permit", []SubType{SubFrontSide, SubBackSide}},
	{TypeSelfie, "Selfie", nil},
	{TypeUtilityBill, "Utility bill", nil},
}

var subLabels = map[SubType]string{
	SubIncorporationCert:   "Certificate of incorporation",
	SubRegisterExtract:     "Register extract",
	SubShareholderRegister: "Shareholder register",
	SubProofOfAddress:      "Proof of address",
	SubFrontSide:           "Front side",
	SubBackSide:            "Back side",
}

// Types lists every document type, company first, for form choices.
func Types() []Type {
	out := make([]Type, len(types))
	for i, t := range types {
		out[i] = t.t
	}
	return out
}

// SubTypes lists the sub-types a type takes (none for a passport).
func SubTypes(t Type) []SubType {
	for _, x := range types {
		if x.t == t {
			return append([]SubType(nil), x.subs...)
		}
	}
	return nil
}

// Label is how people read a type.
func (t Type) Label() string {
	for _, x := range types {
		if x.t == t {
			return x.label
		}
	}
	return string(t)
}

// Label is how people read a sub-type.
func (s SubType) Label() string {
	if l, ok := subLabels[s]; ok {
		return l
	}
	return string(s)
}

// Label is how people read a review state.
func (s State) Label() string {
	switch s {
	case StatePending:
		return "Pending review"
	case StateAccepted:
		return "Accepted"
	case StateRejected:
		return "Rejected"
	}
	return string(s)
}

// ForCompany tells a company document's type from an associate's.
func (t Type) ForCompany() bool { return t == TypeCompanyDoc }

// Document is one stored file and what is known about it; the bytes are
// read with Service.WriteContent.
type Document struct {
	Reference   uuid.UUID
	CustomerRef uuid.UUID
	PersonRef   *uuid.UUID // nil: a company document
	// PersonName is the associate's name: the current one while the
	// associate is on the list, else the name at upload; "" for the company.
	PersonName        string
	Type              Type
	SubType           SubType
	Name              string // sanitised for display and download
	Description       string
	CountryCode       string
	ExternalReference string
	ContentType       string // application/pdf, image/jpeg, image/png — decided by the bytes
	Size              int64
	SHA256            string // hex
	State             State
	Reason            string
	UploadedBy        string
	UploadedAt        time.Time
	ReviewedBy        string
	ReviewedAt        *time.Time
	SupersededBy      *uuid.UUID
	SupersededAt      *time.Time

	uploadedPrincipal string
}

// Current tells whether no later upload superseded the document.
func (d *Document) Current() bool { return d.SupersededBy == nil }

// Meta is what an uploader says about a file; the service validates it.
type Meta struct {
	PersonReference                                                  string // "" for a company document; else an associate's person.reference
	Type, SubType, Name, Description, CountryCode, ExternalReference string
}

// Upload is one file to store. Content is read once, streamed; Meta is read
// only after Content has returned io.EOF, so a streaming decoder may fill
// fields that come after the content in its input.
type Upload struct {
	Meta    Meta
	Content io.Reader
}

// Uploaded is the outcome of one file: Duplicate means the same bytes were
// already current for the same person, type and sub-type — Document is then
// that existing document and nothing was stored.
type Uploaded struct {
	Document  Document
	Duplicate bool
}

// ReviewInput is a reviewer's decision.
type ReviewInput struct {
	Decision State  // ACCEPTED or REJECTED
	Reason   string // required for REJECTED
}

// Options configure a Service.
type Options struct {
	MaxFileSize        int64            // per file, after decoding; DefaultMaxFileSize when 0
	MaxFiles           int              // per request; DefaultMaxFiles when 0
	RequireForApproval bool             // APPROVAL_REQUIRES_DOCUMENTS
	Now                func() time.Time // the clock; time.Now when nil
}

// Defaults of DOCUMENT_MAX_SIZE and DOCUMENT_MAX_FILES.
const (
	DefaultMaxFileSize int64 = 10 << 20
	DefaultMaxFiles          = 3
)

// ChunkSize is how much of a file one stored row (and one read or write
// buffer) holds.
const ChunkSize = 256 << 10

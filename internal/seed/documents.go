package seed

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"io"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
)

// DemoDocumentCustomers is how many pending demo customers get documents.
const DemoDocumentCustomers = 4

// pendingWithoutDocumentsSQL picks the oldest pending customers that have
// associates and no documents yet, so a second seeding adds to new ones.
const pendingWithoutDocumentsSQL = `
SELECT c.reference FROM customers c
WHERE c.status = 'PENDING'
  AND EXISTS (SELECT 1 FROM associates a WHERE a.customer_id = c.id AND (a.has_control OR a.has_ownership))
  AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.customer_id = c.id)
ORDER BY c.id LIMIT $1`

const demoActorSQL = `SELECT id, name, role FROM staff_users WHERE lower(email) = $1 AND active`

// demoActor is a demo staff account as an actor: documents are uploaded by
// the demo officer and reviewed by the demo admin, as people would.
func demoActor(ctx context.Context, db sqlx.QueryerContext, email, requestID string) (access.Actor, error) {
	var row struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
		Role string `db:"role"`
	}
	if err := sqlx.GetContext(ctx, db, &row, demoActorSQL, email); err != nil {
		return access.Actor{}, fmt.Errorf("demo account %s: %w", email, err)
	}
	role, _ := access.ParseRole(row.Role)
	return access.Actor{Kind: access.ActorUser, ID: row.ID, Name: row.Name, Role: role, RequestID: requestID}, nil
}

// demoFile is one generated sample document and the decision it gets
// ("" leaves it pending review).
type demoFile struct {
	meta     document.Meta
	content  []byte
	decision document.State
	reason   string
}

// DemoDocuments uploads generated sample documents (a PNG "identity card"
// drawn with image/png, a hand-written one-page PDF) for the oldest pending
// demo customers, with mixed review states: one customer complete (all
// evidence accepted, so it can be approved with APPROVAL_REQUIRES_DOCUMENTS
// on), one awaiting review, one with a rejected certificate, one with a
// superseded extract and a rejected identity document. It returns how many
// documents were stored.
func DemoDocuments(ctx context.Context, db *sqlx.DB, customers *customer.Service, docs *document.Service) (int, error) {
	uploader, err := demoActor(ctx, db, "officer@verity.test", "seed-demo-documents")
	if err != nil {
		return 0, err
	}
	reviewer, err := demoActor(ctx, db, "admin@verity.test", "seed-demo-documents")
	if err != nil {
		return 0, err
	}
	var refs []uuid.UUID
	if err := sqlx.SelectContext(ctx, db, &refs, pendingWithoutDocumentsSQL, DemoDocumentCustomers); err != nil {
		return 0, fmt.Errorf("pick demo customers for documents: %w", err)
	}
	stored := 0
	for i, ref := range refs {
		c, err := customers.Get(ctx, reviewer, ref)
		if err != nil {
			return stored, err
		}
		company := func(sub document.SubType, seedText string) []byte {
			return SamplePDF(c.Company.Name+" — "+sub.Label(), fmt.Sprintf("Registration number %s. %s", c.Company.RegistrationNumber, seedText))
		}
		var batches [][]demoFile
		cert := document.Meta{Type: string(document.TypeCompanyDoc), SubType: string(document.SubIncorporationCert), Name: "certificate-of-incorporation.pdf"}
		extract := document.Meta{Type: string(document.TypeCompanyDoc), SubType: string(document.SubRegisterExtract), Name: "register-extract.pdf"}
		var idFiles []demoFile
		for j := range c.Company.Associates {
			a := &c.Company.Associates[j]
			if !a.Controls.HasControl && !a.Controls.HasOwnership {
				continue
			}
			t := document.TypePassport
			if a.Details.DocumentInfo.Type != nil {
				t = document.Type(*a.Details.DocumentInfo.Type)
			}
			m := document.Meta{PersonReference: a.Person.Reference.String(), Type: string(t), Name: a.FullName() + " " + t.Label() + ".png"}
			idFiles = append(idFiles, demoFile{meta: m, content: SamplePNG(accents[(i+j)%len(accents)])})
		}
		decide := func(list []demoFile, s document.State, reason string) []demoFile {
			for k := range list {
				list[k].decision, list[k].reason = s, reason
			}
			return list
		}
		switch i % DemoDocumentCustomers {
		case 0: // complete
			batches = [][]demoFile{append([]demoFile{{meta: cert, content: company(document.SubIncorporationCert, "Incorporated 2014."), decision: document.StateAccepted}},
				decide(idFiles, document.StateAccepted, "")...)}
		case 1: // awaiting review
			batches = [][]demoFile{append([]demoFile{{meta: cert, content: company(document.SubIncorporationCert, "Incorporated 2019.")}}, idFiles...)}
		case 2: // rejected certificate
			batches = [][]demoFile{append([]demoFile{{meta: cert, content: company(document.SubIncorporationCert, "Page 1 of 2."),
				decision: document.StateRejected, reason: "Only the first page was uploaded; the certificate has two."}}, decide(idFiles, document.StateAccepted, "")...)}
		default: // a superseded extract, then a rejected identity document
			batches = [][]demoFile{
				{{meta: extract, content: company(document.SubRegisterExtract, "Extract of 2023.")}},
				append([]demoFile{{meta: extract, content: company(document.SubRegisterExtract, "Extract of this month."), decision: document.StateAccepted}},
					decide(idFiles, document.StateRejected, "The document has expired.")...),
			}
		}
		for _, batch := range batches {
			n, err := uploadDemo(ctx, docs, uploader, reviewer, ref, batch)
			stored += n
			if err != nil {
				return stored, err
			}
		}
	}
	return stored, nil
}

// accents colour the sample cards so two associates' cards differ.
var accents = []color.RGBA{{34, 94, 168, 255}, {150, 40, 60, 255}, {30, 120, 90, 255}, {120, 80, 20, 255}}

// uploadDemo uploads a batch (at most the service's files per request at a
// time) and records the decisions.
func uploadDemo(ctx context.Context, docs *document.Service, uploader, reviewer access.Actor, ref uuid.UUID, batch []demoFile) (int, error) {
	stored := 0
	max := docs.Options().MaxFiles
	for start := 0; start < len(batch); start += max {
		part := batch[start:min(start+max, len(batch))]
		k := 0
		done, err := docs.Upload(ctx, uploader, ref, func() (*document.Upload, error) {
			if k == len(part) {
				return nil, io.EOF
			}
			f := part[k]
			k++
			return &document.Upload{Meta: f.meta, Content: bytes.NewReader(f.content)}, nil
		})
		if err != nil {
			return stored, fmt.Errorf("demo documents: %w", err)
		}
		for j, u := range done {
			if u.Duplicate {
				continue
			}
			stored++
			if part[j].decision == "" {
				continue
			}
			if _, err := docs.Review(ctx, reviewer, ref, u.Document.Reference,
				document.ReviewInput{Decision: part[j].decision, Reason: part[j].reason}); err != nil {
				return stored, fmt.Errorf("demo review: %w", err)
			}
		}
	}
	return stored, nil
}

package document_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
)

// A file is stored in 256 KiB chunks with its hash, read back byte for byte,
// and audited in the same transaction.
func TestUploadRoundTrip(t *testing.T) {
	e := newEnv(t, false, 0)
	c := e.create()
	content := pngBytes(600<<10, 7) // three chunks
	got := e.upload(officer, c, file(companyDoc("certificate.png"), content))
	if len(got) != 1 || got[0].Duplicate {
		t.Fatalf("uploaded: %+v", got)
	}
	d := got[0].Document
	sum := sha256.Sum256(content)
	if d.ContentType != document.ContentPNG || d.Size != int64(len(content)) || d.SHA256 != hex.EncodeToString(sum[:]) ||
		d.State != document.StatePending || d.UploadedBy != officer.Name || d.PersonRef != nil || !d.Current() {
		t.Fatalf("document: %+v", d)
	}
	if n := e.count(`SELECT count(*) FROM document_chunks`); n != 3 {
		t.Fatalf("chunks: %d, want 3", n)
	}
	var buf bytes.Buffer
	var head *document.Document
	if err := e.docs.WriteContent(e.ctx, viewer, c.Reference, d.Reference, func(x *document.Document) { head = x }, &buf); err != nil {
		t.Fatal(err)
	}
	if head == nil || head.Reference != d.Reference || !bytes.Equal(buf.Bytes(), content) {
		t.Fatalf("content differs (%d bytes back, head %v)", buf.Len(), head)
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'document.upload' AND subject = $1 AND changes_json::jsonb @> '[{"path":"sha256"}]'`, d.Reference.String()); n != 1 {
		t.Fatal("no audit entry for the upload")
	}
	list, err := e.docs.List(e.ctx, viewer, c.Reference)
	if err != nil || len(list) != 1 || list[0].Reference != d.Reference {
		t.Fatalf("list: %v %+v", err, list)
	}
}

// The bytes decide the type: a PNG named .pdf is a PNG (downloaded as
// .pdf.png); a text file named .pdf is refused with 415 and nothing stored.
func TestUploadSniffsContent(t *testing.T) {
	e := newEnv(t, false, 0)
	c := e.create()
	t.Run("OK/PNGNamedPDF", func(t *testing.T) {
		d := e.upload(officer, c, file(companyDoc("scan.pdf"), pngBytes(100, 1)))[0].Document
		if d.ContentType != document.ContentPNG || d.DownloadName() != "scan.pdf.png" {
			t.Fatalf("%s %s", d.ContentType, d.DownloadName())
		}
	})
	t.Run("OK/PDFAndJPEG", func(t *testing.T) {
		got := e.upload(officer, c, file(personDoc(c, 0, "DRIVERS_LICENSE", "front.jpg"), []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3}),
			file(document.Meta{Type: "COMPANY_DOC", SubType: "REGISTER_EXTRACT", Name: "extract.pdf"}, pdfBytes(1)))
		if got[0].Document.ContentType != document.ContentJPEG || got[1].Document.ContentType != document.ContentPDF {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("ErrUnsupported/TextNamedPDF", func(t *testing.T) {
		before := e.count(`SELECT count(*) FROM documents`)
		_, err := e.docs.Upload(e.ctx, officer, c.Reference, files(
			file(document.Meta{Type: "COMPANY_DOC", SubType: "PROOF_OF_ADDRESS", Name: "ok.pdf"}, pdfBytes(9)),
			file(companyDoc("notes.pdf"), []byte("just some text, not a PDF"))))
		ae := wantKind(t, err, apperr.KindUnsupported, "unsupported_document")
		if !strings.Contains(ae.Message, `"notes.pdf"`) || len(ae.Fields["[1].content"]) == 0 {
			t.Fatalf("the refusal must name the file: %v %v", ae.Message, ae.Fields)
		}
		if e.count(`SELECT count(*) FROM documents`) != before {
			t.Fatal("the first file was stored although the request failed")
		}
	})
	t.Run("ErrInvalid/Empty", func(t *testing.T) {
		_, err := e.docs.Upload(e.ctx, officer, c.Reference, files(file(companyDoc("empty.pdf"), nil)))
		if f := fields(t, err); len(f["[0].content"]) == 0 {
			t.Fatal(f)
		}
	})
}

// A file one byte over the limit is 413 and nothing of the request is kept.
func TestUploadSizeLimit(t *testing.T) {
	const limit = 300 << 10
	e := newEnv(t, false, limit)
	c := e.create()
	if got := e.upload(officer, c, file(companyDoc("exact.png"), pngBytes(limit, 1))); got[0].Document.Size != limit {
		t.Fatalf("a file of exactly the limit must be stored: %+v", got)
	}
	before := e.count(`SELECT count(*) FROM document_chunks`)
	_, err := e.docs.Upload(e.ctx, officer, c.Reference, files(file(companyDoc("big.png"), pngBytes(limit+1, 2))))
	ae := wantKind(t, err, apperr.KindTooLarge, "document_too_large")
	if !strings.Contains(ae.Message, "big.png") {
		t.Fatalf("the refusal must name the file: %s", ae.Message)
	}
	if e.count(`SELECT count(*) FROM document_chunks`) != before || e.count(`SELECT count(*) FROM documents`) != 1 {
		t.Fatal("something of the refused file was stored")
	}
}

// At most MaxFiles files per request.
func TestUploadTooManyFiles(t *testing.T) {
	e := newEnv(t, false, 0)
	c := e.create()
	_, err := e.docs.Upload(e.ctx, officer, c.Reference, files(
		file(companyDoc("a.pdf"), pdfBytes(1)), file(document.Meta{Type: "COMPANY_DOC", SubType: "REGISTER_EXTRACT", Name: "b.pdf"}, pdfBytes(2)),
		file(document.Meta{Type: "COMPANY_DOC", SubType: "PROOF_OF_ADDRESS", Name: "c.pdf"}, pdfBytes(3)),
		file(document.Meta{Type: "COMPANY_DOC", SubType: "SHAREHOLDER_REGISTER", Name: "d.pdf"}, pdfBytes(4))))
	wantKind(t, err, apperr.KindInvalid, "too_many_files")
	if e.count(`SELECT count(*) FROM documents`) != 0 {
		t.Fatal("files were stored")
	}
}

// Metadata errors name the file's index and field; every file's errors are
// reported together and nothing is stored.
func TestUploadFieldErrors(t *testing.T) {
	e := newEnv(t, false, 0)
	c := e.create()
	other := e.create()
	foreign := other.Company.Associates[0].Person.Reference.String()
	cases := []struct {
		name string
		meta document.Meta
		path string
	}{
		{"UnknownType", document.Meta{Type: "BANK_STATEMENT", Name: "x.pdf"}, "[1].type"},
		{"MissingType", document.Meta{Name: "x.pdf"}, "[1].type"},
		{"SubTypeOfAnotherType", document.Meta{Type: "COMPANY_DOC", SubType: "FRONT_SIDE", Name: "x.pdf"}, "[1].subType"},
		{"SelfieTakesNoSubType", document.Meta{PersonReference: c.Company.Associates[0].Person.Reference.String(), Type: "SELFIE", SubType: "FRONT_SIDE", Name: "x.pdf"}, "[1].subType"},
		{"CompanyDocWithPerson", document.Meta{PersonReference: c.Company.Associates[0].Person.Reference.String(), Type: "COMPANY_DOC", Name: "x.pdf"}, "[1].customerPersonReference"},
		{"PersonDocWithoutPerson", document.Meta{Type: "PASSPORT", Name: "x.pdf"}, "[1].customerPersonReference"},
		{"AnotherCustomersAssociate", document.Meta{PersonReference: foreign, Type: "PASSPORT", Name: "x.pdf"}, "[1].customerPersonReference"},
		{"NotAUUID", document.Meta{PersonReference: "sean", Type: "PASSPORT", Name: "x.pdf"}, "[1].customerPersonReference"},
		{"NoName", document.Meta{Type: "COMPANY_DOC"}, "[1].name"},
		{"BadCountry", document.Meta{Type: "COMPANY_DOC", Name: "x.pdf", CountryCode: "XX"}, "[1].countryCode"},
	}
	for _, tc := range cases {
		t.Run("Err/"+tc.name, func(t *testing.T) {
			_, err := e.docs.Upload(e.ctx, officer, c.Reference, files(file(companyDoc("ok.pdf"), pdfBytes(1)), file(tc.meta, pdfBytes(2))))
			f := fields(t, err)
			if len(f[tc.path]) == 0 {
				t.Fatalf("want an error at %s, got %v", tc.path, f)
			}
			if n := e.count(`SELECT count(*) FROM documents`); n != 0 {
				t.Fatalf("%d documents stored", n)
			}
		})
	}
	t.Run("ErrForbidden/Viewer", func(t *testing.T) {
		_, err := e.docs.Upload(e.ctx, viewer, c.Reference, files(file(companyDoc("ok.pdf"), pdfBytes(1))))
		wantKind(t, err, apperr.KindForbidden, "")
	})
	t.Run("OK/AliasType", func(t *testing.T) {
		got := e.upload(officer, c, file(personDoc(c, 0, "DRIVER_LICENSE", "dl.pdf"), pdfBytes(3)))
		if got[0].Document.Type != document.TypeDriversLicense || got[0].Document.PersonName != "Sean Bond" {
			t.Fatalf("%+v", got[0].Document)
		}
	})
}

// The same bytes for the same slot are reported, not stored; other bytes
// supersede the current document, which stays readable.
func TestUploadDuplicateAndSupersede(t *testing.T) {
	e := newEnv(t, false, 0)
	c := e.create()
	first := e.upload(officer, c, file(companyDoc("cert.pdf"), pdfBytes(1)))[0].Document
	dup := e.upload(officer2, c, file(companyDoc("cert-again.pdf"), pdfBytes(1)))
	if !dup[0].Duplicate || dup[0].Document.Reference != first.Reference {
		t.Fatalf("duplicate: %+v", dup)
	}
	if e.count(`SELECT count(*) FROM documents`) != 1 || e.count(`SELECT count(*) FROM document_chunks`) != 1 {
		t.Fatal("the duplicate was stored")
	}
	// the same bytes for another slot are a document of their own
	if other := e.upload(officer, c, file(document.Meta{Type: "COMPANY_DOC", SubType: "REGISTER_EXTRACT", Name: "x.pdf"}, pdfBytes(1))); other[0].Duplicate {
		t.Fatal("another sub-type is not a duplicate")
	}
	second := e.upload(officer, c, file(companyDoc("cert-v2.pdf"), pdfBytes(2)))[0].Document
	old, err := e.docs.Get(e.ctx, viewer, c.Reference, first.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if old.Current() || *old.SupersededBy != second.Reference || old.SupersededAt == nil || !second.Current() {
		t.Fatalf("old %+v new %+v", old, second)
	}
	var buf bytes.Buffer
	if err := e.docs.WriteContent(e.ctx, viewer, c.Reference, first.Reference, func(*document.Document) {}, &buf); err != nil || !bytes.Equal(buf.Bytes(), pdfBytes(1)) {
		t.Fatalf("the superseded file must stay readable: %v", err)
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'document.upload' AND changes_json::jsonb @> $1`,
		`[{"path":"supersedes","new":"`+first.Reference.String()+`"}]`); n != 1 {
		t.Fatal("the supersession is not in the history")
	}
	if _, err := e.db.ExecContext(e.ctx, `DELETE FROM documents WHERE id = (SELECT min(id) FROM documents)`); err == nil {
		t.Fatal("a document could be deleted")
	}
}

// An associate removed from the list keeps its documents, with its name.
func TestDocumentsOfRemovedAssociate(t *testing.T) {
	e := newEnv(t, false, 0)
	c := e.create()
	e.upload(officer, c, file(personDoc(c, 1, "PASSPORT", "mia.pdf"), pdfBytes(1)), file(companyDoc("c.pdf"), pdfBytes(2)))
	keep := onlySean(t, c)
	if _, err := e.customers.ReplaceAssociates(e.ctx, officer, c.Reference, keep, nil); err != nil {
		t.Fatal(err)
	}
	list, err := e.docs.List(e.ctx, viewer, c.Reference)
	if err != nil || len(list) != 2 {
		t.Fatalf("%v %d", err, len(list))
	}
	if list[0].PersonRef != nil || list[1].PersonName != "Mia Signer" {
		t.Fatalf("company first, then Mia by her stored name: %+v", list)
	}
}

// The customer row is locked only once the files are read: while a slow
// upload streams, the customer can still be edited.
func TestUploadDoesNotHoldTheCustomerWhileStreaming(t *testing.T) {
	e := newEnv(t, false, 0)
	c := e.create()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := e.docs.Upload(e.ctx, officer, c.Reference, files(document.Upload{Meta: companyDoc("slow.pdf"), Content: pr}))
		done <- err
	}()
	if _, err := pw.Write(pdfBytes(1)); err != nil { // returns once the upload has read it
		t.Fatal(err)
	}
	var up customer.DetailsUpdate
	if err := json.Unmarshal([]byte(`{"description": "edited during an upload"}`), &up); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, time.Minute) // a held lock would make this wait until then
	defer cancel()
	if _, err := e.customers.Update(ctx, admin, c.Reference, up, nil); err != nil {
		t.Fatalf("the customer could not be edited during an upload: %v", err)
	}
	_ = pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM documents`); n != 1 {
		t.Fatalf("%d documents", n)
	}
}

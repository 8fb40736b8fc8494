package document

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/validate"
)

// Length limits of the free-text metadata.
const (
	MaxDescription       = 1000
	MaxExternalReference = 200
)

// Upload stores files in one transaction with one audit entry per document
// (all or nothing). next yields the files in order and returns io.EOF after
// the last (a multipart reader can only hand out part N+1 once part N is
// consumed). Each file's content streams into 256 KiB chunks, hashed and
// sniffed on the way; a file of another type (415) or over the size limit
// (413) stops at once. Only then is the customer row locked (FOR UPDATE, as
// every customer write) to check the metadata against the associates and
// record the documents — so a slow upload never holds up the customer's
// other writes. Field errors of every file are reported together. A new
// current document of the same person, type and sub-type supersedes the old
// one; the same bytes as the current one are reported as a duplicate and
// not stored.
func (s *Service) Upload(ctx context.Context, a access.Actor, customerRef uuid.UUID, next func() (*Upload, error)) ([]Uploaded, error) {
	if err := require(a, access.PermEdit, "upload documents"); err != nil {
		return nil, err
	}
	if _, err := s.customers.Get(ctx, a, customerRef); err != nil {
		return nil, err // unknown customer: refused before the body is read
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	u := uploader{s: s, tx: tx, a: a, errs: apperr.FieldErrors{}, buf: make([]byte, ChunkSize)}
	var files []pending
	for i := 0; ; i++ {
		up, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if i >= s.opts.MaxFiles {
			return nil, apperr.BadRequest("too_many_files", "At most %d files may be uploaded at once; nothing was stored.", s.opts.MaxFiles)
		}
		st, err := u.content(ctx, i, up)
		if err != nil {
			return nil, err
		}
		files = append(files, pending{stored: st, meta: up.Meta}) // Meta is complete once Content ended
	}
	if len(files) == 0 {
		return nil, apperr.BadRequest("no_files", "The request holds no file; nothing was stored.")
	}
	if u.cur, err = s.customers.LockIn(ctx, tx, customerRef); err != nil {
		return nil, err
	}
	out := make([]Uploaded, 0, len(files))
	for i := range files {
		res, err := u.record(ctx, i, &files[i])
		if err != nil {
			return nil, err
		}
		if res != nil {
			out = append(out, *res)
		}
	}
	if len(u.errs) > 0 {
		return nil, apperr.Invalid(u.errs)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return out, nil
}

// uploader is one Upload call's state.
type uploader struct {
	s    *Service
	tx   *sqlx.Tx
	a    access.Actor
	cur  *customer.Customer // locked, once every file is read
	errs apperr.FieldErrors
	buf  []byte
}

// stored is what streaming a file's content found out.
type stored struct {
	id          int64
	size        int64
	sum         []byte
	contentType string
}

// pending is a file whose bytes are written and whose document is not yet.
type pending struct {
	stored *stored
	meta   Meta
}

// record checks the i-th file's metadata and writes its document (or
// reports the duplicate); nil (no error) when the metadata was invalid (the
// errors are collected for the answer).
func (u *uploader) record(ctx context.Context, i int, f *pending) (*Uploaded, error) {
	st := f.stored
	r, ok := u.meta(i, &f.meta)
	if !ok {
		return nil, nil
	}
	r.ID, r.Size, r.SHA256, r.ContentType = st.id, st.size, st.sum, st.contentType
	old, err := currentDocument(ctx, u.tx, u.cur.ID, r.PersonRef, Type(r.Type), SubType(r.SubType))
	if err != nil {
		return nil, err
	}
	if old != nil && bytes.Equal(old.SHA256, r.SHA256) {
		if err := deleteChunks(ctx, u.tx, st.id); err != nil {
			return nil, err
		}
		return &Uploaded{Document: old.document(), Duplicate: true}, nil
	}
	changes := []audit.Change{
		{Path: "type", New: r.Type}, {Path: "subType", New: r.SubType}, {Path: "name", New: r.Name},
		{Path: "size", New: r.Size}, {Path: "sha256", New: fmt.Sprintf("%x", r.SHA256)}, {Path: "contentType", New: r.ContentType},
	}
	if r.PersonRef != nil {
		changes = append(changes, audit.Change{Path: "person", New: r.PersonRef.String()}, audit.Change{Path: "personName", New: r.PersonName})
	}
	if old != nil {
		if err := supersede(ctx, u.tx, old.ID, r.ID, r.UploadedAt); err != nil {
			return nil, err
		}
		changes = append(changes, audit.Change{Path: "supersedes", New: old.Reference.String()})
	}
	if err := insertDocument(ctx, u.tx, r); err != nil {
		return nil, err
	}
	d := r.document()
	if err := u.s.customers.Record(ctx, u.tx, audit.Record{Actor: u.a, Action: ActionUpload, CustomerID: &u.cur.ID,
		Subject: r.Reference.String(), Changes: changes},
		customer.EventAbout(customer.EventDocumentUploaded, u.cur, "document", eventOf(&d, old))); err != nil {
		return nil, err
	}
	return &Uploaded{Document: d}, nil
}

// content streams the file's bytes into chunks under a reserved id.
func (u *uploader) content(ctx context.Context, i int, up *Upload) (*stored, error) {
	path := "[" + strconv.Itoa(i) + "].content"
	if up.Content == nil {
		return nil, apperr.Invalid(apperr.FieldErrors{path: {"is required"}})
	}
	id, err := nextID(ctx, u.tx)
	if err != nil {
		return nil, err
	}
	limit := u.s.opts.MaxFileSize
	src := io.LimitReader(truncation{up.Content}, limit+1)
	h := sha256.New()
	st := &stored{id: id}
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(src, u.buf)
		if n > 0 {
			if seq == 0 {
				if st.contentType = sniff(u.buf[:n]); st.contentType == "" {
					return nil, unsupported(i, up, path)
				}
			}
			st.size += int64(n)
			if st.size > limit {
				e := apperr.New(apperr.KindTooLarge, "document_too_large", "%s is larger than %s; nothing was stored.", fileName(i, up), humanSize(limit))
				e.Fields = apperr.FieldErrors{path: {"must be at most " + humanSize(limit)}}
				return nil, e
			}
			h.Write(u.buf[:n])
			if err := insertChunk(ctx, u.tx, id, seq, u.buf[:n]); err != nil {
				return nil, err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return nil, err // the decoder's own error (bad base64, malformed JSON) or a broken connection
		}
	}
	if st.size == 0 {
		return nil, apperr.Invalid(apperr.FieldErrors{path: {"is empty"}})
	}
	st.sum = h.Sum(nil)
	return st, nil
}

// truncation keeps a source's own io.ErrUnexpectedEOF (a body cut short)
// from reading as io.ReadFull's "last, shorter chunk".
type truncation struct{ r io.Reader }

func (t truncation) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = apperr.BadRequest("truncated_content", "The request ended in the middle of a file; nothing was stored.")
	}
	return n, err
}

func unsupported(i int, up *Upload, path string) error {
	e := apperr.New(apperr.KindUnsupported, "unsupported_document",
		"%s is not a PDF, JPEG or PNG file (judged by its content, not its name); nothing was stored.", fileName(i, up))
	e.Fields = apperr.FieldErrors{path: {"must be a PDF, JPEG or PNG file"}}
	return e
}

// fileName names a file in a message: its name when known so far.
func fileName(i int, up *Upload) string {
	if n := SanitizeName(up.Meta.Name); n != "" {
		return fmt.Sprintf("File %d (%q)", i+1, n)
	}
	return fmt.Sprintf("File %d", i+1)
}

func humanSize(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// meta validates the i-th file's metadata into a row; false when it is
// invalid (the errors are in u.errs, under "[i].field").
func (u *uploader) meta(i int, m *Meta) (*row, bool) {
	p := func(f string) string { return "[" + strconv.Itoa(i) + "]." + f }
	before := len(u.errs)
	r := &row{Reference: uuid.New(), CustomerID: u.cur.ID, CustomerRef: u.cur.Reference,
		UploadedBy: u.a.String(), UploadedPrincipal: u.a.Principal(), UploadedAt: u.s.opts.Now(), State: string(StatePending)}
	t, ok := ParseType(strings.TrimSpace(m.Type))
	switch {
	case strings.TrimSpace(m.Type) == "":
		u.errs.Add(p("type"), "is required")
	case !ok:
		u.errs.Add(p("type"), "must be one of "+joinTypes(Types()))
	}
	r.Type = string(t)
	if sub := strings.TrimSpace(m.SubType); sub != "" && ok {
		subs := SubTypes(t)
		if !containsSub(subs, SubType(sub)) {
			if len(subs) == 0 {
				u.errs.Add(p("subType"), "a "+string(t)+" takes no sub-type")
			} else {
				u.errs.Add(p("subType"), "must be one of "+joinSubs(subs)+" for "+string(t))
			}
		}
		r.SubType = sub
	}
	if ref := strings.TrimSpace(m.PersonReference); ref == "" {
		if ok && !t.ForCompany() {
			u.errs.Add(p("customerPersonReference"), "is required for a "+string(t)+": the associate's person.reference")
		}
	} else if ok && t.ForCompany() {
		u.errs.Add(p("customerPersonReference"), "must be absent for a company document")
	} else if id, err := uuid.Parse(ref); err != nil {
		u.errs.Add(p("customerPersonReference"), "must be a UUID")
	} else if as := associate(u.cur, id); as == nil {
		u.errs.Add(p("customerPersonReference"), "is not an associate of this customer")
	} else {
		r.PersonRef, r.PersonName = &id, as.FullName()
	}
	if strings.TrimSpace(m.Name) == "" {
		u.errs.Add(p("name"), "is required")
	} else if r.Name = SanitizeName(m.Name); r.Name == "" {
		u.errs.Add(p("name"), "must contain readable characters")
	}
	if msg := validate.MultilineText(m.Description, MaxDescription, false); msg != "" {
		u.errs.Add(p("description"), msg)
	}
	r.Description = strings.TrimSpace(validate.NormalizeLines(m.Description))
	if c := strings.TrimSpace(m.CountryCode); c != "" {
		if msg := validate.CountryCode(c); msg != "" {
			u.errs.Add(p("countryCode"), msg)
		}
		r.CountryCode = c
	}
	if msg := validate.Text(m.ExternalReference, MaxExternalReference, false); msg != "" {
		u.errs.Add(p("externalReference"), msg)
	}
	r.ExternalReference = strings.TrimSpace(m.ExternalReference)
	return r, len(u.errs) == before
}

// ParseType reads a type word exactly as listed, or one of the identity
// document aliases the associates accept (DRIVER_LICENSE…).
func ParseType(s string) (Type, bool) {
	for _, t := range Types() {
		if string(t) == s {
			return t, true
		}
	}
	if canon, msg := validate.DocumentType(s); msg == "" {
		return Type(canon), true
	}
	return "", false
}

func containsSub(list []SubType, s SubType) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func joinTypes(list []Type) string {
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = string(t)
	}
	return strings.Join(out, ", ")
}

func joinSubs(list []SubType) string {
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = string(t)
	}
	return strings.Join(out, ", ")
}

// associate finds an associate of c by person reference.
func associate(c *customer.Customer, ref uuid.UUID) *customer.Associate {
	for i := range c.Company.Associates {
		if c.Company.Associates[i].Person.Reference == ref {
			return &c.Company.Associates[i]
		}
	}
	return nil
}

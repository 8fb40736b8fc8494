package api

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/jsonx"
)

// UploadBodyLimit is the largest body POST …/documents takes: maxFiles
// files of maxSize bytes in base64 (4/3 larger) with 64 KiB of metadata
// each, and 1 MiB to spare. A multipart body of the same files is smaller.
func UploadBodyLimit(maxFiles int, maxSize int64) int64 {
	return int64(maxFiles)*((maxSize+2)/3*4+64<<10) + MaxBody
}

// UploadPath is the route of the upload, which has its own body limit.
const UploadPath = "/platform/v1/customers/:reference/documents"

// uploadTime is how long an upload's body, and a download, may take: longer
// than the server's default read and write timeouts, which are sized for
// 1 MiB bodies.
const uploadTime = 10 * time.Minute

// documentJSON is a document's metadata as the API shows it.
type documentJSON struct {
	Reference               uuid.UUID  `json:"reference"`
	CustomerPersonReference *uuid.UUID `json:"customerPersonReference"`
	PersonName              string     `json:"personName,omitempty"`
	Type                    string     `json:"type"`
	SubType                 *string    `json:"subType"`
	Name                    string     `json:"name"`
	Description             string     `json:"description,omitempty"`
	CountryCode             string     `json:"countryCode,omitempty"`
	ExternalReference       string     `json:"externalReference,omitempty"`
	ContentType             string     `json:"contentType"`
	Size                    int64      `json:"size"`
	SHA256                  string     `json:"sha256"`
	State                   string     `json:"state"`
	Reason                  string     `json:"reason,omitempty"`
	UploadedBy              string     `json:"uploadedBy"`
	UploadedAt              time.Time  `json:"uploadedAt"`
	ReviewedBy              string     `json:"reviewedBy,omitempty"`
	ReviewedAt              *time.Time `json:"reviewedAt"`
	Current                 bool       `json:"current"`
	SupersededBy            *uuid.UUID `json:"supersededBy"`
	SupersededAt            *time.Time `json:"supersededAt"`
}

func documentOf(d *document.Document) documentJSON {
	out := documentJSON{Reference: d.Reference, CustomerPersonReference: d.PersonRef, PersonName: d.PersonName,
		Type: string(d.Type), Name: d.Name, Description: d.Description, CountryCode: d.CountryCode,
		ExternalReference: d.ExternalReference, ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256,
		State: string(d.State), Reason: d.Reason, UploadedBy: d.UploadedBy, UploadedAt: d.UploadedAt,
		ReviewedBy: d.ReviewedBy, ReviewedAt: d.ReviewedAt, Current: d.Current(), SupersededBy: d.SupersededBy,
		SupersededAt: d.SupersededAt}
	if d.SubType != "" {
		s := string(d.SubType)
		out.SubType = &s
	}
	return out
}

// uploadedJSON is one file of the upload's 202 answer.
type uploadedJSON struct {
	Reference               uuid.UUID  `json:"reference"`
	Name                    string     `json:"name"`
	Type                    string     `json:"type"`
	SubType                 *string    `json:"subType"`
	CustomerPersonReference *uuid.UUID `json:"customerPersonReference"`
	State                   string     `json:"state"`
	Duplicate               bool       `json:"duplicate"`
}

// handleDocumentUpload is BVNK's POST …/documents: a JSON array with base64
// content, or multipart/form-data with a "metadata" JSON array part first
// and then one "files" part per element. Every file is stored before the
// 202 answer, all or none.
func (h handlers) handleDocumentUpload(c echo.Context) error {
	ref, err := reference(c)
	if err != nil {
		return err
	}
	mt, params, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	var next func() (*document.Upload, error)
	switch {
	case err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")):
		next = newDocStream(c.Request().Body).next
	case err == nil && mt == "multipart/form-data" && params["boundary"] != "":
		next = newMultipartFiles(multipart.NewReader(c.Request().Body, params["boundary"])).next
	default:
		return apperr.New(apperr.KindUnsupported, "unsupported_media_type", "Content-Type must be application/json or multipart/form-data")
	}
	_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(uploadTime))
	done, err := h.Documents.Upload(c.Request().Context(), actorOf(c), ref, next)
	if err != nil {
		return bodyError(err)
	}
	out := make([]uploadedJSON, len(done))
	for i, u := range done {
		d := documentOf(&u.Document)
		out[i] = uploadedJSON{Reference: d.Reference, Name: d.Name, Type: d.Type, SubType: d.SubType,
			CustomerPersonReference: d.CustomerPersonReference, State: d.State, Duplicate: u.Duplicate}
	}
	return c.JSON(http.StatusAccepted, map[string]any{"documents": out})
}

// bodyError turns the body limit's error, met while streaming, into 413.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.New(apperr.KindTooLarge, "body_too_large", "The request is larger than %d bytes; nothing was stored.", mbe.Limit)
	}
	return err
}

func (h handlers) handleDocumentList(c echo.Context) error {
	ref, err := reference(c)
	if err != nil {
		return err
	}
	list, err := h.Documents.List(c.Request().Context(), actorOf(c), ref)
	if err != nil {
		return err
	}
	out := make([]documentJSON, len(list))
	for i := range list {
		out[i] = documentOf(&list[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"documents": out})
}

// documentRefs reads a document route's customer and document references.
func documentRefs(c echo.Context) (customerRef, docRef uuid.UUID, err error) {
	if customerRef, err = reference(c); err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	if docRef, err = uuid.Parse(c.Param("document")); err != nil {
		return uuid.Nil, uuid.Nil, apperr.NotFound("document " + c.Param("document"))
	}
	return customerRef, docRef, nil
}

func (h handlers) handleDocumentGet(c echo.Context) error {
	ref, doc, err := documentRefs(c)
	if err != nil {
		return err
	}
	d, err := h.Documents.Get(c.Request().Context(), actorOf(c), ref, doc)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, documentOf(d))
}

// handleDocumentContent streams the bytes as an attachment of the stored
// (sniffed) type, never to be sniffed again by the browser.
func (h handlers) handleDocumentContent(c echo.Context) error {
	ref, doc, err := documentRefs(c)
	if err != nil {
		return err
	}
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(uploadTime))
	w := c.Response()
	err = h.Documents.WriteContent(c.Request().Context(), actorOf(c), ref, doc, func(d *document.Document) {
		hd := w.Header()
		hd.Set(echo.HeaderContentType, d.ContentType)
		hd.Set(echo.HeaderContentLength, strconv.FormatInt(d.Size, 10))
		hd.Set(echo.HeaderContentDisposition, document.ContentDisposition("attachment", d.DownloadName()))
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		hd.Set("ETag", `"sha256-`+d.SHA256+`"`)
		w.WriteHeader(http.StatusOK)
	}, w)
	if err != nil && w.Committed {
		return nil // the client went away, or the database mid-file: the short body tells it
	}
	return err
}

// reviewInput is the body of PUT …/documents/{docRef}/review.
type reviewInput struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

func (h handlers) handleDocumentReview(c echo.Context) error {
	ref, doc, err := documentRefs(c)
	if err != nil {
		return err
	}
	var in reviewInput
	if _, err := readJSON(c, &in); err != nil {
		return err
	}
	d, err := h.Documents.Review(c.Request().Context(), actorOf(c), ref, doc,
		document.ReviewInput{Decision: document.State(strings.TrimSpace(in.Decision)), Reason: in.Reason})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, documentOf(d))
}

// multipartFiles yields the files of a multipart upload: a "metadata" part
// first (a JSON array, one element per file, BVNK's fields without
// content), then the "files" parts in the same order.
type multipartFiles struct {
	mr    *multipart.Reader
	metas []documentInput
	i     int
	read  bool
}

func newMultipartFiles(mr *multipart.Reader) *multipartFiles { return &multipartFiles{mr: mr} }

func (m *multipartFiles) next() (*document.Upload, error) {
	if !m.read {
		m.read = true
		if err := m.metadata(); err != nil {
			return nil, err
		}
	}
	part, err := m.mr.NextPart()
	if errors.Is(err, io.EOF) {
		if m.i < len(m.metas) {
			return nil, apperr.BadRequest("files_mismatch", "metadata lists %d files but the request holds %d; nothing was stored.", len(m.metas), m.i)
		}
		return nil, io.EOF
	}
	if err != nil {
		return nil, apperr.BadRequest("malformed_multipart", "the multipart body could not be read: %v", err)
	}
	if part.FormName() != "files" {
		return nil, apperr.BadRequest("malformed_multipart", "unexpected part %q: after metadata only files parts may follow", part.FormName())
	}
	if m.i >= len(m.metas) {
		return nil, apperr.BadRequest("files_mismatch", "the request holds more files than metadata lists (%d); nothing was stored.", len(m.metas))
	}
	in := m.metas[m.i]
	m.i++
	if in.Content != nil {
		return nil, apperr.Invalid(apperr.FieldErrors{"[" + strconv.Itoa(m.i-1) + "].content": {"must be absent in multipart metadata: the file is its part"}})
	}
	meta := document.Meta{PersonReference: str(in.CustomerPersonReference), Type: str(in.Type), SubType: str(in.SubType),
		Name: str(in.Name), Description: str(in.Description), CountryCode: str(in.CountryCode), ExternalReference: str(in.ExternalReference)}
	if meta.Name == "" {
		meta.Name = part.FileName()
	}
	return &document.Upload{Meta: meta, Content: part}, nil
}

// metadata reads the first part, which must be "metadata".
func (m *multipartFiles) metadata() error {
	part, err := m.mr.NextPart()
	if err != nil {
		return apperr.BadRequest("malformed_multipart", "the multipart body could not be read: %v", err)
	}
	if part.FormName() != "metadata" {
		return apperr.BadRequest("malformed_multipart", "the first part must be metadata (a JSON array), not %q", part.FormName())
	}
	body, err := io.ReadAll(io.LimitReader(part, MaxBody+1))
	if err != nil {
		return bodyError(err)
	}
	if len(body) > MaxBody {
		return apperr.New(apperr.KindTooLarge, "body_too_large", "the metadata part is larger than 1 MiB")
	}
	return jsonx.Decode(body, &m.metas)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

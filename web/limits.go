package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/web/api"
)

// MaxFormBody is the largest body a page form may send. The biggest honest
// form (a customer with many associates) is a few KiB.
const MaxFormBody = 64 << 10

// UploadRoute is the customer page's document upload (route template).
const UploadRoute = "/customers/:ref/documents"

// upload is the body limit of an upload route and how its 413 says it;
// multipartOnly refuses any other body (the page's form, whose CSRF token
// is the body's first part) with 415.
type upload struct {
	limit         int64
	says          string
	multipartOnly bool
}

// uploadRoutes are the routes (route templates) whose POST takes a large,
// streamed body, each with its own limit; every other page route refuses
// multipart with 415 and every other API route keeps 1 MiB. The page's
// upload takes one file of at most DOCUMENT_MAX_SIZE plus its form fields
// (MaxFormBody); the API's, DOCUMENT_MAX_FILES of them in base64 with their
// metadata (api.UploadBodyLimit).
func uploadRoutes(cfg config.Config) map[string]upload {
	files, size := cfg.DocumentMaxFiles, cfg.DocumentMaxSize
	if files <= 0 {
		files = config.DefaultDocumentMaxFiles
	}
	if size <= 0 {
		size = config.DefaultDocumentMaxSize
	}
	return map[string]upload{
		UploadRoute:    {size + MaxFormBody, "the upload limit (" + sizeText(size) + " per file)", true},
		api.UploadPath: {api.UploadBodyLimit(files, size), fmt.Sprintf("%d bytes (the document upload limit)", api.UploadBodyLimit(files, size)), false},
	}
}

// UploadTimeout is how long an upload's body may take to arrive (the
// server's ReadTimeout is for forms): 10 MiB in 5 minutes is ~280 kbit/s.
const UploadTimeout = 5 * time.Minute

// Timeouts bound how long one client may hold a connection. Read covers the
// headers and the body: the API's largest honest body (1 MiB) must arrive in
// it even on a slow link. Write runs from the end of the headers to the end
// of the response, so it is longer than Read.
type Timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultTimeouts are what `verity serve` uses.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 60 * time.Second, Idle: 120 * time.Second}

// orDefault fills the zero fields from DefaultTimeouts.
func (t Timeouts) orDefault() Timeouts {
	d := DefaultTimeouts
	if t.ReadHeader > 0 {
		d.ReadHeader = t.ReadHeader
	}
	if t.Read > 0 {
		d.Read = t.Read
	}
	if t.Write > 0 {
		d.Write = t.Write
	}
	if t.Idle > 0 {
		d.Idle = t.Idle
	}
	return d
}

// apply sets the timeouts on a server.
func (t Timeouts) apply(s *http.Server) {
	s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout = t.ReadHeader, t.Read, t.Write, t.Idle
}

// bodyLimits bounds every request body before anything parses it (the CSRF
// check, a form decoder, a JSON decoder). A page form is read into memory up
// to MaxFormBody, so nothing later can read more; a larger body is 413 and
// no handler runs. multipart/form-data is 415 except on the upload routes,
// whose bodies are streamed (never read whole here) within their own limit
// and UploadTimeout. The API keeps its documented limit (api.MaxBody,
// checked again as it decodes).
func bodyLimits(uploads map[string]upload) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Body == nil || r.Body == http.NoBody {
				return next(c)
			}
			if up, ok := uploads[c.Path()]; ok && r.Method == http.MethodPost {
				if r.ContentLength > up.limit {
					return tooLarge(up.says)
				}
				if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); up.multipartOnly && mt != "multipart/form-data" {
					return apperr.New(apperr.KindUnsupported, "unsupported_media_type",
						"The upload must be sent as multipart/form-data; nothing was stored.")
				}
				r.Body = http.MaxBytesReader(c.Response(), r.Body, up.limit)
				rc := http.NewResponseController(c.Response())
				_ = rc.SetReadDeadline(time.Now().Add(UploadTimeout)) // not every writer supports it (tests)
				_ = rc.SetWriteDeadline(time.Now().Add(UploadTimeout + DefaultTimeouts.Write))
				return next(c)
			}
			if IsAPIPath(r.URL.Path) {
				if r.ContentLength > api.MaxBody {
					return tooLarge("1 MiB")
				}
				r.Body = http.MaxBytesReader(c.Response(), r.Body, api.MaxBody+1)
				return next(c)
			}
			if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); strings.HasPrefix(mt, "multipart/") {
				return apperr.New(apperr.KindUnsupported, "unsupported_media_type",
					"This form does not take file uploads; nothing was changed.")
			}
			if r.ContentLength > MaxFormBody {
				return tooLarge("64 KiB")
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, MaxFormBody+1))
			if err != nil {
				if errors.Is(err, os.ErrDeadlineExceeded) {
					return echo.NewHTTPError(http.StatusRequestTimeout, "The request took too long to arrive; nothing was changed.")
				}
				return apperr.BadRequest("bad_request", "The request body could not be read; nothing was changed.")
			}
			if len(body) > MaxFormBody {
				return tooLarge("64 KiB")
			}
			_ = r.Body.Close()
			r.Body = io.NopCloser(bytes.NewReader(body))
			return next(c)
		}
	}
}

// sizeText says a byte size for people: "10 MiB", "1.5 MiB", "64 KiB".
func sizeText(n int64) string {
	if n >= 1<<20 {
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".0") + " MiB"
	}
	return strconv.FormatInt(n>>10, 10) + " KiB"
}

func tooLarge(limit string) error {
	return apperr.New(apperr.KindTooLarge, "body_too_large", "The request is larger than %s; nothing was changed.", limit)
}

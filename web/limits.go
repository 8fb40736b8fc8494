package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/web/api"
)

// MaxFormBody is the largest body a page form may send. The biggest honest
// form (a customer with many associates) is a few KiB.
const MaxFormBody = 64 << 10

// uploadRoutes are the page routes (route templates) that take
// multipart/form-data, each with its own body limit; every other page route
// refuses multipart with 415. A documents upload adds one line here.
var uploadRoutes = map[string]int64{}

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
// no handler runs. multipart/form-data is 415 except on uploadRoutes. The
// API keeps its documented limit (api.MaxBody, checked again as it decodes).
//
// The API's document upload (api.UploadPath) is the one API route with a
// larger limit, uploadLimit (api.UploadBodyLimit of the configured files and
// size); its files are streamed, never read whole.
func bodyLimits(uploadLimit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return limitBody(next, uploadLimit)
	}
}

func limitBody(next echo.HandlerFunc, uploadLimit int64) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Body == nil || r.Body == http.NoBody {
			return next(c)
		}
		if r.Method == http.MethodPost && c.Path() == api.UploadPath {
			if r.ContentLength > uploadLimit {
				return tooLarge(fmt.Sprintf("%d bytes (the document upload limit)", uploadLimit))
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, uploadLimit)
			return next(c)
		}
		if IsAPIPath(r.URL.Path) {
			if r.ContentLength > api.MaxBody {
				return tooLarge("1 MiB")
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, api.MaxBody+1)
			return next(c)
		}
		if limit, ok := uploadRoutes[c.Path()]; ok {
			if r.ContentLength > limit {
				return tooLarge("the upload limit")
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
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

func tooLarge(limit string) error {
	return apperr.New(apperr.KindTooLarge, "body_too_large", "The request is larger than %s; nothing was changed.", limit)
}

package page

import (
	"crypto/subtle"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
)

// ctxMultipart holds the multipart reader the CSRF check started, after the
// token's part.
const ctxMultipart = "page.multipart"

// CSRFField is the name of the token's form field; an upload form puts it
// first, before any file.
const CSRFField = "_csrf"

// maxCSRFPart bounds what the check reads of a multipart token field.
const maxCSRFPart = 256

// CSRF refuses state-changing requests that do not carry this session's
// token, from the form body's _csrf field or the X-CSRF-Token header (htmx,
// and the upload script) — never the query string, where a token would leak
// into logs, history and Referer headers. SameSite=Lax cookies already stop
// most cross-site posts; this stops the rest. The body is already bounded
// (web's bodyLimits) and is multipart only on the upload routes: there the
// token must be the body's first part, read on its own so that the file
// behind it is never buffered; the handler goes on with the same reader
// (Multipart).
func CSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		want := CSRFToken(c)
		got := c.Request().Header.Get("X-CSRF-Token")
		if got == "" {
			if isMultipart(c.Request()) {
				got = firstPartToken(c)
			} else {
				got = c.Request().PostFormValue(CSRFField)
			}
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return apperr.New(apperr.KindForbidden, "csrf_failed",
				"This form has expired or did not come from Verity. Reload the page and try again; nothing was changed.")
		}
		return next(c)
	}
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	return strings.HasPrefix(mt, "multipart/")
}

// firstPartToken reads the multipart body's first part when it is the token
// field (at most maxCSRFPart bytes) and keeps the reader for the handler;
// "" when the body starts with anything else.
func firstPartToken(c echo.Context) string {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return ""
	}
	part, err := mr.NextPart()
	if err != nil || part.FormName() != CSRFField || part.FileName() != "" {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(part, maxCSRFPart+1))
	if err != nil || len(b) > maxCSRFPart {
		return ""
	}
	c.Set(ctxMultipart, mr)
	return string(b)
}

// Multipart is the multipart body of an upload route: the reader the CSRF
// check went on from (past the token's part), or a new one when the token
// came in the header.
func Multipart(c echo.Context) (*multipart.Reader, error) {
	if mr, ok := c.Get(ctxMultipart).(*multipart.Reader); ok {
		return mr, nil
	}
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return nil, apperr.New(apperr.KindUnsupported, "unsupported_media_type",
			"The upload must be sent as multipart/form-data; nothing was stored.")
	}
	return mr, nil
}

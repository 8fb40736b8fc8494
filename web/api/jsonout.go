package api

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/customer"
)

// The customer responses (one customer, a list page) are written by
// customer.JSON.AppendJSON into a reused buffer: the bytes encoding/json
// gives (the tests compare them), without its reflection, in one write with
// a Content-Length. ?pretty (and echo's debug mode) still go through c.JSON.

var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// jsonContentType is the Content-Type of every JSON answer, shared: set by
// its canonical key, it allocates and canonicalises nothing per response
// (nobody changes a header value in place).
var jsonContentType = []string{echo.MIMEApplicationJSON}

// pretty tells whether the response should be indented, as c.JSON decides.
func pretty(c echo.Context) bool {
	if c.Echo().Debug {
		return true
	}
	if c.Request().URL.RawQuery == "" { // most requests: nothing to parse
		return false
	}
	_, ok := c.QueryParams()["pretty"]
	return ok
}

// writeAppended answers with what fill appends, plus the newline
// json.Encoder ends a document with.
func writeAppended(c echo.Context, status int, fill func([]byte) []byte) error {
	bp := jsonBufs.Get().(*[]byte)
	b := append(fill((*bp)[:0]), '\n')
	h := c.Response().Header()
	h[echo.HeaderContentType] = jsonContentType
	h[echo.HeaderContentLength] = []string{strconv.Itoa(len(b))}
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(b)
	if cap(b) <= 1<<20 { // one huge page must not pin its buffer
		*bp = b[:0]
		jsonBufs.Put(bp)
	}
	return err
}

// writeCustomerJSON answers with one customer in its API shape.
func writeCustomerJSON(c echo.Context, status int, j customer.JSON) error {
	if pretty(c) {
		return c.JSON(status, j)
	}
	return writeAppended(c, status, j.AppendJSON)
}

// writeList answers with a page of GET /customers.
func writeList(c echo.Context, r listResponse) error {
	if pretty(c) {
		return c.JSON(http.StatusOK, r)
	}
	return writeAppended(c, http.StatusOK, func(b []byte) []byte {
		b = append(b, `{"content":`...)
		if r.Content == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i := range r.Content {
				if i > 0 {
					b = append(b, ',')
				}
				b = r.Content[i].AppendJSON(b)
			}
			b = append(b, ']')
		}
		b = append(b, `,"page":`...)
		b = strconv.AppendInt(b, int64(r.Page), 10)
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, int64(r.Size), 10)
		b = append(b, `,"totalElements":`...)
		b = strconv.AppendInt(b, r.TotalElements, 10)
		b = append(b, `,"totalPages":`...)
		b = strconv.AppendInt(b, int64(r.TotalPages), 10)
		b = append(b, `,"hasNext":`...)
		b = strconv.AppendBool(b, r.HasNext)
		b = append(b, `,"totalExact":`...)
		b = strconv.AppendBool(b, r.TotalExact)
		return append(b, '}')
	})
}

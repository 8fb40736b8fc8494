// Package csvexport streams CSV downloads — the customers list and the audit
// log, for the pages and the API alike — one row at a time, never holding
// the result in memory, with cells that a spreadsheet cannot run as formulas.
package csvexport

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// flushEvery is how many rows go out before the writer pushes them to the client.
const flushEvery = 500

// BatchWindow is how long one batch of rows may take to reach the client.
// The server's write timeout bounds a whole response; a million-row export
// takes longer than that, so each flush moves the deadline on by this much:
// a download that keeps moving is never cut, a stalled client still is.
const BatchWindow = 60 * time.Second

// Stream answers with a CSV attachment named filename: the header, then the
// rows each calls write with, as they come. An error before the first row
// goes to the error handler (a refusal says why); after it the download is
// cut short and the error logged.
func Stream(c echo.Context, filename string, header []string, each func(write func([]string) error) error) error {
	res := c.Response()
	rc := http.NewResponseController(res)
	w := csv.NewWriter(res)
	started := false
	start := func() error {
		started = true
		res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
		res.Header().Set(echo.HeaderCacheControl, "no-store")
		res.WriteHeader(http.StatusOK)
		return w.Write(header)
	}
	n := 0
	err := each(func(cells []string) error {
		if !started {
			if err := start(); err != nil {
				return err
			}
		}
		for i := range cells {
			cells[i] = SafeCell(cells[i])
		}
		if err := w.Write(cells); err != nil {
			return err
		}
		if n++; n%flushEvery == 0 {
			w.Flush()
			res.Flush()
			_ = rc.SetWriteDeadline(time.Now().Add(BatchWindow)) // best effort: kept off by a writer that cannot
		}
		return w.Error()
	})
	if err != nil {
		return err
	}
	if !started {
		if err := start(); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// SafeCell keeps a spreadsheet from reading a cell as a formula: a value
// starting with = + - @ (or a tab or carriage return) gets a leading quote.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

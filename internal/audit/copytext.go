package audit

import (
	"strconv"
	"time"

	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/access"
)

// CopyText builds rows in COPY's text format exactly as lib/pq's CopyIn
// encodes the same values: fields separated by tabs, \N for NULL,
// backslash, newline, carriage return and tab escaped, timestamps as
// pq.FormatTimestamp writes them. A bulk load appends its rows here and
// hands the text to the COPY in large pieces, without a driver call per row.
type CopyText struct {
	Buf    []byte
	fields int // fields of the row being written
}

func (w *CopyText) sep() {
	if w.fields > 0 {
		w.Buf = append(w.Buf, '\t')
	}
	w.fields++
}

// Null writes a NULL field.
func (w *CopyText) Null() {
	w.sep()
	w.Buf = append(w.Buf, '\\', 'N')
}

// Text writes a text field.
func (w *CopyText) Text(s string) {
	w.sep()
	w.Buf = appendCopyEscaped(w.Buf, s)
}

// TextBytes writes a text field given as bytes (JSON, for a json or jsonb column).
func (w *CopyText) TextBytes(b []byte) {
	w.sep()
	w.Buf = appendCopyEscaped(w.Buf, b)
}

// TextOrNull writes *p, or NULL when p is nil.
func (w *CopyText) TextOrNull(p *string) {
	if p == nil {
		w.Null()
		return
	}
	w.Text(*p)
}

// Int writes an integer field.
func (w *CopyText) Int(n int64) {
	w.sep()
	w.Buf = strconv.AppendInt(w.Buf, n, 10)
}

// IntOrNull writes *p, or NULL when p is nil.
func (w *CopyText) IntOrNull(p *int64) {
	if p == nil {
		w.Null()
		return
	}
	w.Int(*p)
}

// Bool writes a boolean field.
func (w *CopyText) Bool(b bool) {
	w.sep()
	w.Buf = strconv.AppendBool(w.Buf, b)
}

// Time writes a timestamp field.
func (w *CopyText) Time(t time.Time) {
	w.sep()
	w.Buf = append(w.Buf, pq.FormatTimestamp(t)...)
}

// EndRow ends the row.
func (w *CopyText) EndRow() {
	w.Buf = append(w.Buf, '\n')
	w.fields = 0
}

func appendCopyEscaped[T string | []byte](buf []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc byte
		switch s[i] {
		case '\\':
			esc = '\\'
		case '\n':
			esc = 'n'
		case '\r':
			esc = 'r'
		case '\t':
			esc = 't'
		default:
			continue
		}
		buf = append(buf, s[start:i]...)
		buf = append(buf, '\\', esc)
		start = i + 1
	}
	return append(buf, s[start:]...)
}

// AppendCopy writes the entry as one row of Columns, the values Args gives.
func (r Record) AppendCopy(w *CopyText) {
	w.Text(string(r.Actor.Kind))
	if r.Actor.Kind == access.ActorUser || r.Actor.Kind == access.ActorAPIKey {
		w.Int(r.Actor.ID)
	} else {
		w.Null()
	}
	name := r.Actor.Name
	if name == "" {
		name = string(r.Actor.Kind)
	}
	w.Text(name)
	w.Text(r.Action)
	w.IntOrNull(r.CustomerID)
	w.TextOrNull(nullString(r.Subject))
	if r.ChangesJSON != nil {
		w.TextBytes(r.ChangesJSON)
	} else {
		w.TextBytes(AppendChanges(make([]byte, 0, 64+96*len(r.Changes)), r.Changes))
	}
	w.TextOrNull(nullString(r.Reason))
	w.TextOrNull(nullString(r.Actor.RequestID))
	w.EndRow()
}

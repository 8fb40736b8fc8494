package api

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/jsonx"
)

// documentInput is one element of BVNK's upload array; the stream decoder
// below reads it without holding the body, this type only names the fields.
type documentInput struct {
	CustomerPersonReference *string `json:"customerPersonReference"`
	Type                    *string `json:"type"`
	SubType                 *string `json:"subType"`
	Name                    *string `json:"name"`
	Description             *string `json:"description"`
	CountryCode             *string `json:"countryCode"`
	ExternalReference       *string `json:"externalReference"`
	Content                 *string `json:"content"`
}

// maxMetaString bounds a metadata string literal (raw, escapes included):
// the longest field allows 1,000 characters.
const maxMetaString = 16 << 10

// docStream reads BVNK's JSON array of documents from the request body as a
// stream: each element's metadata as it comes, its base64 content decoded
// straight into the upload through base64.NewDecoder, so neither the JSON
// nor a file is ever held whole. It keeps jsonx's strictness: unknown
// fields, duplicate keys, invalid UTF-8, lone surrogates and values of the
// wrong type are refused with the element's path ("[1].type").
type docStream struct {
	r       *bufio.Reader
	i       int  // index of the current element
	started bool // the '[' was read
	open    bool // the current element's '}' has not been read yet
	seen    map[string]bool
	up      *document.Upload
	done    bool
}

func newDocStream(r io.Reader) *docStream {
	return &docStream{r: bufio.NewReaderSize(r, 32<<10), i: -1}
}

// next yields the next file for document.Service.Upload, io.EOF after the
// last. The Upload's Content must be read to its end before next is called
// again; fields after "content" fill Meta before Content reports io.EOF.
func (d *docStream) next() (*document.Upload, error) {
	if d.done {
		return nil, io.EOF
	}
	if !d.started {
		d.started = true
		b, err := d.nonSpace()
		if err != nil {
			return nil, err
		}
		if b != '[' {
			return nil, apperr.BadRequest("malformed_json", "the body must be a JSON array of documents")
		}
		if b, err = d.nonSpace(); err != nil {
			return nil, err
		}
		if b == ']' {
			return nil, d.end()
		}
		_ = d.r.UnreadByte()
	} else {
		if d.open {
			return nil, errors.New("docStream: the previous content was not read to its end")
		}
		b, err := d.nonSpace()
		if err != nil {
			return nil, err
		}
		switch b {
		case ']':
			return nil, d.end()
		case ',':
		default:
			return nil, d.malformed("expected , or ] after a document")
		}
	}
	b, err := d.nonSpace()
	if err != nil {
		return nil, err
	}
	if b != '{' {
		return nil, apperr.Invalid(apperr.FieldErrors{d.path(""): {"must be an object"}})
	}
	d.i++
	d.open, d.seen, d.up = true, map[string]bool{}, &document.Upload{}
	if err := d.fields(); err != nil {
		return nil, err
	}
	if d.up.Content == nil {
		return nil, apperr.Invalid(apperr.FieldErrors{d.path("content"): {"is required"}})
	}
	return d.up, nil
}

// end reads what follows the closing ']': only white space.
func (d *docStream) end() error {
	d.done = true
	if _, err := d.nonSpace(); !errors.Is(err, io.ErrUnexpectedEOF) {
		if err != nil {
			return err
		}
		return d.malformed("unexpected data after the array")
	}
	return io.EOF
}

// fields reads the current object's members up to "content" (whose value
// is left for the content reader) or to its closing '}'.
func (d *docStream) fields() error {
	first := len(d.seen) == 0
	for {
		b, err := d.nonSpace()
		if err != nil {
			return err
		}
		if b == '}' {
			d.open = false
			return nil
		}
		if !first {
			if b != ',' {
				return d.malformed("expected , or } in a document")
			}
			if b, err = d.nonSpace(); err != nil {
				return err
			}
		}
		first = false
		if b != '"' {
			return d.malformed("expected a field name")
		}
		key, err := d.key()
		if err != nil {
			return err
		}
		if d.seen[key] {
			return apperr.Invalid(apperr.FieldErrors{d.path(key): {"appears more than once in the same object"}})
		}
		d.seen[key] = true
		if b, err = d.nonSpace(); err != nil {
			return err
		}
		if b != ':' {
			return d.malformed("expected : after a field name")
		}
		if key == "content" {
			if b, err = d.nonSpace(); err != nil {
				return err
			}
			if b == 'n' {
				if err := d.literal("ull"); err != nil {
					return err
				}
				continue // null: no content, refused when the object ends
			}
			if b != '"' {
				return apperr.Invalid(apperr.FieldErrors{d.path(key): {"must be a string of base64"}})
			}
			d.up.Content = d.content()
			return nil
		}
		if err := d.metaField(key); err != nil {
			return err
		}
	}
}

// metaField reads the value of a metadata field into d.up.Meta.
func (d *docStream) metaField(key string) error {
	var dst *string
	m := &d.up.Meta
	switch key {
	case "customerPersonReference":
		dst = &m.PersonReference
	case "type":
		dst = &m.Type
	case "subType":
		dst = &m.SubType
	case "name":
		dst = &m.Name
	case "description":
		dst = &m.Description
	case "countryCode":
		dst = &m.CountryCode
	case "externalReference":
		dst = &m.ExternalReference
	default:
		return apperr.Invalid(apperr.FieldErrors{d.path(key): {jsonx.UnknownField(documentInput{}, key)}})
	}
	b, err := d.nonSpace()
	if err != nil {
		return err
	}
	switch b {
	case 'n':
		return d.literal("ull") // null: absent
	case '"':
		raw, err := d.stringLiteral(maxMetaString)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(raw, dst); err != nil { // a bad escape
			return d.malformed("bad string in " + key)
		}
		if msg := jsonx.StringProblem(raw); msg != "" { // checked on a well-formed literal only
			return apperr.Invalid(apperr.FieldErrors{d.path(key): {msg}})
		}
		return nil
	}
	kind := "a number"
	switch b {
	case '{':
		kind = "an object"
	case '[':
		kind = "an array"
	case 't', 'f':
		kind = "true or false"
	}
	return apperr.Invalid(apperr.FieldErrors{d.path(key): {"must be a string, not " + kind}})
}

// key reads an object key (the opening quote is read).
func (d *docStream) key() (string, error) {
	raw, err := d.stringLiteral(1 << 10)
	if err != nil {
		return "", err
	}
	var k string
	if err := json.Unmarshal(raw, &k); err != nil {
		return "", d.malformed("bad field name")
	}
	if msg := jsonx.StringProblem(raw); msg != "" {
		return "", apperr.Invalid(apperr.FieldErrors{d.path(""): {"has a field name that " + msg}})
	}
	return k, nil
}

// stringLiteral reads the rest of a string literal (the opening quote is
// read) and returns it with both quotes, at most max bytes.
func (d *docStream) stringLiteral(max int) ([]byte, error) {
	out := []byte{'"'}
	for {
		b, err := d.byte()
		if err != nil {
			return nil, err
		}
		out = append(out, b)
		switch {
		case b == '"':
			return out, nil
		case b == '\\':
			e, err := d.byte()
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		case b < 0x20:
			return nil, d.malformed("control character in a string")
		}
		if len(out) > max {
			return nil, apperr.Invalid(apperr.FieldErrors{d.path(""): {fmt.Sprintf("has a text value longer than %d bytes", max)}})
		}
	}
}

func (d *docStream) literal(rest string) error {
	for i := 0; i < len(rest); i++ {
		b, err := d.byte()
		if err != nil {
			return err
		}
		if b != rest[i] {
			return d.malformed("unexpected literal")
		}
	}
	return nil
}

func (d *docStream) byte() (byte, error) {
	b, err := d.r.ReadByte()
	if errors.Is(err, io.EOF) {
		return 0, apperr.BadRequest("malformed_json", "malformed JSON: the body ends too early")
	}
	return b, err
}

// nonSpace reads the next byte that is not JSON white space.
func (d *docStream) nonSpace() (byte, error) {
	for {
		b, err := d.r.ReadByte()
		if errors.Is(err, io.EOF) {
			if d.done {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, apperr.BadRequest("malformed_json", "malformed JSON: the body ends too early")
		}
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return b, nil
	}
}

func (d *docStream) path(field string) string {
	p := "[" + strconv.Itoa(d.i) + "]"
	if field != "" {
		p += "." + field
	}
	return p
}

func (d *docStream) malformed(what string) error {
	return apperr.BadRequest("malformed_json", "malformed JSON in document %d: %s", d.i+1, what)
}

// content is the decoded bytes of the current element's "content" string.
func (d *docStream) content() io.Reader {
	return &contentReader{d: d, dec: base64.NewDecoder(base64.StdEncoding, &base64Text{d: d}), path: d.path("content")}
}

// contentReader turns base64 errors into a field error naming the element.
type contentReader struct {
	d    *docStream
	dec  io.Reader
	path string
}

func (c *contentReader) Read(p []byte) (int, error) {
	n, err := c.dec.Read(p)
	var corrupt base64.CorruptInputError
	switch {
	case errors.As(err, &corrupt):
		err = apperr.Invalid(apperr.FieldErrors{c.path: {fmt.Sprintf("must be base64 (standard alphabet, padded); invalid at character %d", int64(corrupt))}})
	case errors.Is(err, io.ErrUnexpectedEOF): // the decoder's word for a length that is not a multiple of 4
		err = apperr.Invalid(apperr.FieldErrors{c.path: {"must be base64 (standard alphabet, padded); the text ends mid-group"}})
	}
	return n, err
}

// base64Text yields the characters of the content string literal up to its
// closing quote, resolving the escapes JSON allows in base64 text (\/ and
// \n, \r, which the decoder skips); then it reads the rest of the object
// and reports io.EOF.
type base64Text struct {
	d    *docStream
	done bool
}

func (t *base64Text) Read(p []byte) (int, error) {
	if t.done {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) {
		if t.d.r.Buffered() == 0 {
			if n > 0 {
				break // hand over what we have rather than wait for more
			}
			if _, err := t.d.r.Peek(1); err != nil {
				_, err = t.d.byte() // the body ended inside the string
				return 0, err
			}
		}
		buf, _ := t.d.r.Peek(t.d.r.Buffered())
		plain := plainLen(buf)
		k := copy(p[n:], buf[:plain])
		_, _ = t.d.r.Discard(k)
		n += k
		if k < plain || plain == len(buf) || n == len(p) {
			continue // p is full, or the buffer was all base64 text
		}
		b, _ := t.d.r.ReadByte() // a quote, a backslash or a control character, buffered
		if b < 0x20 {
			return n, t.d.malformed("control character in a string")
		}
		if b == '"' {
			t.done = true
			if err := t.d.fields(); err != nil {
				return n, err
			}
			return n, io.EOF
		}
		e, err := t.d.byte()
		if err != nil {
			return n, err
		}
		switch e {
		case '/':
			p[n] = '/'
		case 'n':
			p[n] = '\n'
		case 'r':
			p[n] = '\r'
		default:
			p[n] = '!' // any other escape is no base64: the decoder refuses it
		}
		n++
	}
	return n, nil
}

// plainLen is how many bytes of buf are string text that needs no
// attention: up to a quote, a backslash or a control character.
func plainLen(buf []byte) int {
	for i, b := range buf {
		if b == '"' || b == '\\' || b < 0x20 {
			return i
		}
	}
	return len(buf)
}

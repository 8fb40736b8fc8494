package document

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The content types Verity stores, decided by the file's first bytes.
const (
	ContentPDF  = "application/pdf"
	ContentJPEG = "image/jpeg"
	ContentPNG  = "image/png"
)

var pngSignature = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}

// sniff names the content type of a file from its first bytes, or "" when
// it is none of PDF, JPEG and PNG. The name and any claimed type never
// count. HEIC is refused: no module we can draw on decodes it (a libheif
// binding needs cgo), and what no reviewer's browser can show is no evidence.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return ContentPDF
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return ContentJPEG
	case bytes.HasPrefix(head, pngSignature):
		return ContentPNG
	}
	return ""
}

// extensions are the file name endings of each content type, the first the
// one a download name gains when its own does not fit.
var extensions = map[string][]string{
	ContentPDF:  {".pdf"},
	ContentJPEG: {".jpg", ".jpeg", ".jpe"},
	ContentPNG:  {".png"},
}

// MaxNameLength bounds a stored file name, in characters.
const MaxNameLength = 200

// SanitizeName turns what an uploader calls a file into a name safe to show
// and to offer as a download: the directories of a path are dropped, control
// characters, bidirectional overrides and other invisible format characters
// removed, characters that file systems refuse replaced by "_", runs of
// white space made one space, leading and trailing dots and spaces trimmed,
// and the length capped at MaxNameLength keeping the extension. "" when
// nothing readable is left.
func SanitizeName(raw string) string {
	s := strings.ToValidUTF8(raw, "")
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '\u2028', r == '\u2029', r == utf8.RuneError:
			continue // includes U+200E/F, U+202A–E, U+2066–9 (bidi) and zero-width characters
		case unicode.IsSpace(r):
			space = true
			continue
		case strings.ContainsRune(`"*:<>?|`, r):
			r = '_'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	s = strings.Trim(b.String(), ". ")
	if utf8.RuneCountInString(s) > MaxNameLength {
		ext := path.Ext(s)
		if utf8.RuneCountInString(ext) > 16 {
			ext = ""
		}
		runes := []rune(strings.TrimSuffix(s, ext))
		s = strings.TrimRight(string(runes[:MaxNameLength-utf8.RuneCountInString(ext)]), ". ") + ext
	}
	return s
}

// DownloadName is the name a download is offered under: the stored name,
// with the content type's extension added when the name's own does not fit
// (a PNG uploaded as "scan.pdf" downloads as "scan.pdf.png").
func (d *Document) DownloadName() string {
	ext := strings.ToLower(path.Ext(d.Name))
	for _, e := range extensions[d.ContentType] {
		if ext == e {
			return d.Name
		}
	}
	if exts := extensions[d.ContentType]; len(exts) > 0 {
		return d.Name + exts[0]
	}
	return d.Name
}

// ContentDisposition is an RFC 6266 header value (kind "attachment" or
// "inline"): an ASCII fallback filename and the exact name as filename*.
func ContentDisposition(kind, name string) string {
	ascii := make([]rune, 0, len(name))
	for _, r := range name {
		if r < 0x20 || r > 0x7E || r == '"' || r == '\\' || r == '%' {
			r = '_'
		}
		ascii = append(ascii, r)
	}
	var ext strings.Builder
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			ext.WriteByte(b)
		} else {
			fmt.Fprintf(&ext, "%%%02X", b)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, string(ascii), ext.String())
}

// isAttrChar is RFC 5987's attr-char: what filename* keeps unescaped.
func isAttrChar(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}

package documents_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/web/webtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// pngFile is a small generated PNG; seed varies its bytes.
func pngFile(t testing.TB, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		for y := 0; y < 30; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 8), uint8(seed), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfFile is a minimal one-page PDF showing text.
func pdfFile(text string) []byte {
	stream := "BT /F1 24 Tf 72 720 Td (" + text + ") Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// part is one field of a multipart body; a file when fileName is set.
type part struct {
	name, fileName string
	data           []byte
}

func field(name, value string) part { return part{name: name, data: []byte(value)} }

func file(name string, data []byte) part { return part{name: "file", fileName: name, data: data} }

// multipartBody writes the parts in order, as a browser sends a form.
func multipartBody(t testing.TB, parts ...part) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		var dst io.Writer
		var err error
		if p.fileName != "" {
			dst, err = w.CreateFormFile(p.name, p.fileName)
		} else {
			dst, err = w.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dst.Write(p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, w.FormDataContentType()
}

// upload posts the upload form as a browser without JavaScript does: the
// CSRF field first (unless the parts carry their own), then the parts.
func upload(t testing.TB, c *webtest.Client, ref string, parts ...part) *webtest.Response {
	t.Helper()
	hasToken := false
	for _, p := range parts {
		hasToken = hasToken || p.name == "_csrf"
	}
	if !hasToken {
		parts = append([]part{field("_csrf", c.CSRF)}, parts...)
	}
	body, ct := multipartBody(t, parts...)
	req := c.Request(http.MethodPost, "/customers/"+ref+"/documents", body)
	req.Header.Set("Content-Type", ct)
	return c.Do(req)
}

// stored uploads one file through the service, as the named user.
func stored(t testing.TB, s *webtest.Site, by string, c *customer.Customer, meta document.Meta, data []byte) document.Document {
	t.Helper()
	done := false
	res, err := s.Documents.Upload(context.Background(), s.Actor(by), c.Reference, func() (*document.Upload, error) {
		if done {
			return nil, io.EOF
		}
		done = true
		return &document.Upload{Meta: meta, Content: bytes.NewReader(data)}, nil
	})
	if err != nil {
		t.Fatalf("upload %s: %v", meta.Name, err)
	}
	return res[0].Document
}

// personRef is the reference of the customer's first associate.
func personRef(c *customer.Customer) string { return c.Company.Associates[0].Person.Reference.String() }

func path(c *customer.Customer, rest string) string {
	return "/customers/" + c.Reference.String() + rest
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

package api

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// The content decodes the same whatever the read sizes and wherever the
// escapes fall, in reads of one byte as in large ones.
func TestDocStreamContentReads(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		raw := make([]byte, rng.IntN(3000)+1)
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		enc := base64.StdEncoding.EncodeToString(raw)
		var b strings.Builder
		for i, r := range enc {
			if i > 0 && i%76 == 0 {
				b.WriteString(`\n`)
			}
			if r == '/' {
				b.WriteString(`\/`)
			} else {
				b.WriteRune(r)
			}
		}
		body := `[{"type": "COMPANY_DOC", "content": "` + b.String() + `", "name": "x.pdf"}]`
		var src io.Reader = strings.NewReader(body)
		if trial%2 == 0 {
			src = iotest.OneByteReader(src)
		}
		d := newDocStream(src)
		up, err := d.next()
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		buf := make([]byte, rng.IntN(700)+1)
		for {
			n, err := up.Content.Read(buf)
			got = append(got, buf[:n]...)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got, raw) || up.Meta.Name != "x.pdf" {
			t.Fatalf("trial %d: %d bytes back of %d, name %q", trial, len(got), len(raw), up.Meta.Name)
		}
		if _, err := d.next(); !errors.Is(err, io.EOF) {
			t.Fatalf("after the last element: %v", err)
		}
	}
}

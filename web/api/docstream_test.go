package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
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

// FuzzDocStream: the stream reader never panics, and whatever it accepts is
// valid JSON that encoding/json reads to the same metadata and content —
// streaming loosens nothing.
func FuzzDocStream(f *testing.F) {
	for _, seed := range []string{
		`[{"type": "COMPANY_DOC", "subType": "INCORPORATION_CERT", "name": "a.pdf", "content": "JVBERi0xLjUK"}]`,
		`[{"content": "JVBE\/Ri0x\nLjUK", "name": "b.pdf", "type": "PASSPORT", "customerPersonReference": null}, {"type": "SELFIE", "name": "c", "content": "iVBORw0KGgo="}]`,
		`[]`, ` [ ] `, `[{"type": "A", "type": "B", "content": ""}]`, "[{\"name\": \"\xff\", \"content\": \"\"}]",
		`[{"name": "\ud800", "content": "QQ=="}]`, `[{"content": "QQ==" "name": "x"}]`, `[{"content": "QQ=="}] x`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d := newDocStream(bytes.NewReader(body))
		type got struct {
			meta    documentInput
			content []byte
		}
		var all []got
		for {
			up, err := d.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return // refused: fine, whatever encoding/json thinks
			}
			content, err := io.ReadAll(io.LimitReader(up.Content, 1<<20))
			if err != nil {
				return
			}
			m := up.Meta
			all = append(all, got{meta: documentInput{CustomerPersonReference: &m.PersonReference, Type: &m.Type, SubType: &m.SubType,
				Name: &m.Name, Description: &m.Description, CountryCode: &m.CountryCode, ExternalReference: &m.ExternalReference}, content: content})
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON: %q", body)
		}
		var want []documentInput
		if err := json.Unmarshal(body, &want); err != nil || len(want) != len(all) {
			t.Fatalf("encoding/json: %v, %d elements, stream %d", err, len(want), len(all))
		}
		for i, w := range want {
			g := all[i]
			for _, pair := range [][2]*string{{w.CustomerPersonReference, g.meta.CustomerPersonReference}, {w.Type, g.meta.Type},
				{w.SubType, g.meta.SubType}, {w.Name, g.meta.Name}, {w.Description, g.meta.Description},
				{w.CountryCode, g.meta.CountryCode}, {w.ExternalReference, g.meta.ExternalReference}} {
				if str(pair[0]) != *pair[1] {
					t.Fatalf("element %d: %q vs %q", i, str(pair[0]), *pair[1])
				}
			}
			if !utf8.ValidString(str(w.Name)) {
				t.Fatalf("accepted a name that is not UTF-8")
			}
			dec, err := base64.StdEncoding.DecodeString(str(w.Content))
			if err != nil || !bytes.Equal(dec, g.content) {
				t.Fatalf("element %d content: %v %q vs %q", i, err, dec, g.content)
			}
		}
	})
}

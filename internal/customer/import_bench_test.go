package customer

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/jsonx"
)

// BenchmarkImportLine measures verity's own work per line of `verity import`,
// step by step, on one generated line (the bench-import data): the parts a
// faster import could not do without. Figures, not assertions:
//
//	go test -run '^$' -bench ImportLine -benchmem ./internal/customer/
func BenchmarkImportLine(b *testing.B) {
	line, err := os.ReadFile("../jsonx/testdata/import-line.json")
	if err != nil {
		b.Fatal(err)
	}
	s := NewService(nil, Options{VerifyBaseURL: "https://verify.test"})
	b.Run("encoding-json-unmarshal", func(b *testing.B) { // the floor of decoding with encoding/json, unchecked
		for b.Loop() {
			var rec ImportRecord
			if err := json.Unmarshal(line, &rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("strict-decode", func(b *testing.B) { // jsonx.Decode: the unmarshal plus the strict checks
		for b.Loop() {
			var rec ImportRecord
			if err := jsonx.Decode(line, &rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-and-validate", func(b *testing.B) { // parseImport: what the line's worker does
		for b.Loop() {
			if _, _, err := s.parseImport(line); err != nil {
				b.Fatal(err)
			}
		}
	})
	c, _, err := s.parseImport(line)
	if err != nil {
		b.Fatal(err)
	}
	c.ID, c.Version = 1, 1
	b.Run("audit-entry-json", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf = creationJSON(buf[:0], c)
		}
	})
	b.Run("copy-text", func(b *testing.B) { // the four tables' rows as COPY text, the grams and audit JSON included
		w := &audit.CopyText{}
		var buf, arr []byte
		for b.Loop() {
			w.Buf = w.Buf[:0]
			search := searchText(c)
			customerCopyRow(w, c, search)
			w.Int(c.ID)
			arr = appendGramsArray(arr[:0], search)
			w.TextBytes(arr)
			w.EndRow()
			for i := range c.Company.Associates {
				associateCopyRow(w, c.ID, i, &c.Company.Associates[i])
			}
			buf = creationJSON(buf[:0], c)
			audit.Record{Actor: access.System("import"), Action: audit.ActionCustomerImport, CustomerID: &c.ID, ChangesJSON: buf}.AppendCopy(w)
		}
	})
}

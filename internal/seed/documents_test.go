package seed

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"regexp"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
)

// The sample PNG is a real PNG of the card's size.
func TestSamplePNG(t *testing.T) {
	b := SamplePNG(color.RGBA{34, 94, 168, 255})
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != 480 || r.Dy() != 300 {
		t.Fatalf("%v", r)
	}
}

// The sample PDF's cross-reference table points at each object, and
// startxref at the table: a reader that trusts them finds everything.
func TestSamplePDFOffsets(t *testing.T) {
	b := SamplePDF("Bond (Holdings) Ltd", `a line with a \ backslash`)
	if !bytes.HasPrefix(b, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		t.Fatalf("not framed as a PDF: %q", b)
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(b[xref:], []byte("xref\n0 6\n")) {
		t.Fatalf("startxref %d points at %q", xref, b[xref:min(xref+10, len(b))])
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllSubmatch(b[xref:], -1)
	if len(entries) != 5 {
		t.Fatalf("%d entries", len(entries))
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if want := fmt.Sprintf("%d 0 obj\n", i+1); !bytes.HasPrefix(b[off:], []byte(want)) {
			t.Fatalf("object %d: offset %d points at %q", i+1, off, b[off:off+10])
		}
	}
	lm := regexp.MustCompile(`/Length (\d+) >>\nstream\n`).FindSubmatchIndex(b)
	n, _ := strconv.Atoi(string(b[lm[2]:lm[3]]))
	if !bytes.HasPrefix(b[lm[1]+n:], []byte("endstream")) {
		t.Fatal("the stream length is wrong")
	}
}

// The demo gets documents in mixed states through the document service;
// the first customer has all its evidence accepted and can be approved with
// the rule on, the others cannot.
func TestDemoDocuments(t *testing.T) {
	e := newDemoEnv(t)
	if _, err := DemoWithSeed(e.ctx, e.db, e.customers, e.users, dev, 30, 7); err != nil {
		t.Fatal(err)
	}
	docs := document.NewService(e.db, e.customers, document.Options{RequireForApproval: true})
	n, err := DemoDocuments(e.ctx, e.db, e.customers, docs)
	if err != nil || n < 8 {
		t.Fatalf("%d documents, %v", n, err)
	}
	for _, state := range []string{"PENDING_REVIEW", "ACCEPTED", "REJECTED"} {
		if e.count(t, `SELECT count(*) FROM documents WHERE state = $1`, state) == 0 {
			t.Errorf("no %s document", state)
		}
	}
	if e.count(t, `SELECT count(*) FROM documents WHERE superseded_by IS NOT NULL`) != 1 {
		t.Error("want one superseded document")
	}
	if e.count(t, `SELECT count(DISTINCT customer_id) FROM documents`) != DemoDocumentCustomers {
		t.Error("documents for the wrong number of customers")
	}
	complete := 0
	var refs []string
	if err := e.db.SelectContext(e.ctx, &refs, `SELECT DISTINCT c.reference FROM customers c JOIN documents d ON d.customer_id = c.id`); err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		c, err := e.customers.Get(e.ctx, access.System("t"), mustUUID(t, ref))
		if err != nil {
			t.Fatal(err)
		}
		missing, err := docs.Missing(e.ctx, access.System("t"), c)
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) == 0 && len(customer.ApprovalProblems(c)) == 0 {
			complete++
		}
	}
	if complete != 1 {
		t.Fatalf("%d customers with complete evidence, want 1", complete)
	}
	// a second run adds to other customers, never the same again
	if _, err := DemoDocuments(e.ctx, e.db, e.customers, docs); err != nil {
		t.Fatal(err)
	}
	if e.count(t, `SELECT count(DISTINCT customer_id) FROM documents`) <= DemoDocumentCustomers {
		t.Error("the second run added nothing new")
	}
}

func mustUUID(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

package documents_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/web/webtest"
)

// TestUploadWithoutJavaScript: the plain multipart form stores the file,
// answers 303 back to the Documents section with a flash, and the section
// lists it with its type, file name, size, uploader and review state.
func TestUploadWithoutJavaScript(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	o := s.SignIn("officer")
	o.Get(path(c, ""))
	img := pngFile(t, 1)
	r := upload(t, o, c.Reference.String(), field("person", ""), field("type", "COMPANY_DOC"),
		field("subType", "REGISTER_EXTRACT"), field("description", "From the registry"), file("extract.png", img)).Want(http.StatusSeeOther)
	if r.Location() != path(c, "#documents") {
		t.Fatalf("location %q", r.Location())
	}
	p := o.Get(path(c, "")).Want(http.StatusOK)
	if got := p.Text("[data-flash=success]"); got != "Uploaded extract.png." {
		t.Errorf("flash %q", got)
	}
	row := p.Doc.Find("[data-testid=documents-group][data-person=''] [data-testid=document-row]")
	if row.Length() != 1 {
		t.Fatalf("%d company rows; section: %s", row.Length(), p.Text("[data-testid=documents-section]"))
	}
	if got := squash(row.Find("[data-testid=document-type]").Text()); got != "Company document — Register extract" {
		t.Errorf("type %q", got)
	}
	if got := squash(row.Find("[data-testid=document-link]").Text()); got != "extract.png" {
		t.Errorf("name %q", got)
	}
	if got := squash(row.Text()); !strings.Contains(got, "Olive Officer") || !strings.Contains(got, "Pending review") {
		t.Errorf("row %q lacks uploader or state", got)
	}
	docs, err := s.Documents.List(context.Background(), s.Actor("officer"), c.Reference)
	if err != nil || len(docs) != 1 || docs[0].Description != "From the registry" || docs[0].Size != int64(len(img)) {
		t.Fatalf("stored %+v, %v", docs, err)
	}

	t.Run("an associate's document, with htmx's header, answers HX-Location", func(t *testing.T) {
		body, ct := multipartBody(t, field("person", personRef(c)), field("type", "PASSPORT"), file("passport.pdf", pdfFile("Sean Bond")))
		req := o.Request(http.MethodPost, path(c, "/documents"), body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-CSRF-Token", o.CSRF)
		req.Header.Set("HX-Request", "true")
		r := o.Do(req).Want(http.StatusNoContent)
		if r.Header.Get("HX-Location") != path(c, "#documents") {
			t.Fatalf("HX-Location %q", r.Header.Get("HX-Location"))
		}
		p := o.Get(path(c, "")).Want(http.StatusOK)
		if got := squash(p.Doc.Find("[data-testid=documents-group][data-person='" + personRef(c) + "'] [data-testid=document-link]").Text()); got != "passport.pdf" {
			t.Fatalf("associate's documents: %q", got)
		}
	})

	t.Run("the same bytes again are reported, not stored", func(t *testing.T) {
		o.Get(path(c, ""))
		upload(t, o, c.Reference.String(), field("type", "COMPANY_DOC"), field("subType", "REGISTER_EXTRACT"), file("again.png", img)).Want(http.StatusSeeOther)
		p := o.Get(path(c, "")).Want(http.StatusOK)
		if got := p.Text("[data-flash=info]"); !strings.Contains(got, "already stored as extract.png") {
			t.Fatalf("flash %q", got)
		}
	})
}

// TestUploadRefusedComesBackNamingTheField: a file that is not a PDF, JPEG
// or PNG (whatever its name), a missing type, no file at all, a file over
// the limit — each comes back as the form (422) with the message under its
// input and the values typed kept; htmx gets the form alone.
func TestUploadRefusedComesBackNamingTheField(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	o := s.SignIn("officer")
	o.Get(path(c, ""))
	ref := c.Reference.String()
	cases := []struct {
		name  string
		parts []part
		input string // the id of the input whose message it is
		want  string
	}{
		{"text named .pdf", []part{field("type", "COMPANY_DOC"), field("subType", "INCORPORATION_CERT"), file("cert.pdf", []byte("just text, not a PDF"))},
			"doc-file", "must be a PDF, JPEG or PNG"},
		{"no type", []part{field("person", personRef(c)), file("id.png", pngFile(t, 2))}, "doc-type", "Document type is required"},
		{"no file", []part{field("type", "PASSPORT"), field("person", personRef(c)), part{name: "file", fileName: "", data: nil}}, "doc-file", "must be chosen"},
		{"one byte over 10 MiB", []part{field("type", "PASSPORT"), field("person", personRef(c)),
			file("big.png", append(pngFile(t, 3), bytes.Repeat([]byte{0}, 10<<20)...)[:10<<20+1])}, "doc-file", "at most 10 MiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := upload(t, o, ref, tc.parts...).Want(http.StatusUnprocessableEntity)
			if got := r.Text("#" + tc.input + "-error"); !strings.Contains(got, tc.want) {
				t.Fatalf("message under %s: %q, want %q; summary %q", tc.input, got, tc.want, r.Text("[data-testid=error-summary]"))
			}
			if inv := r.Doc.Find("#"+tc.input).AttrOr("aria-invalid", ""); inv != "true" {
				t.Errorf("%s aria-invalid=%q", tc.input, inv)
			}
			if !r.Has("[data-testid=error-summary]") || !r.Has("html") {
				t.Error("the upload page with its summary must come back")
			}
			for _, p := range tc.parts {
				if p.name == "type" {
					if got := r.Doc.Find("#doc-type option[selected]").AttrOr("value", ""); got != string(p.data) {
						t.Errorf("type kept as %q", got)
					}
				}
			}
		})
	}
	docs, err := s.Documents.List(context.Background(), s.Actor("officer"), c.Reference)
	if err != nil || len(docs) != 0 {
		t.Fatalf("refused uploads stored %d documents (%v)", len(docs), err)
	}

	t.Run("htmx gets the form alone", func(t *testing.T) {
		body, ct := multipartBody(t, field("type", "COMPANY_DOC"), file("x.pdf", []byte("%PDX not really")))
		req := o.Request(http.MethodPost, path(c, "/documents"), body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-CSRF-Token", o.CSRF)
		req.Header.Set("HX-Request", "true")
		r := o.Do(req).Want(http.StatusUnprocessableEntity)
		if !r.Has("form[data-upload]") || r.Has("header") || !strings.Contains(r.Text("#doc-file-error"), "PDF, JPEG or PNG") {
			t.Fatalf("fragment: %s", r.Body)
		}
	})
}

// TestUploadCSRF: the token must come first in the body (or in the header);
// without it, or behind the file, nothing is stored and the answer is 403.
func TestUploadCSRF(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	o := s.SignIn("officer")
	o.Get(path(c, ""))
	ref := c.Reference.String()
	img := pngFile(t, 4)
	upload(t, o, ref, field("_csrf", ""), field("type", "COMPANY_DOC"), field("subType", "REGISTER_EXTRACT"), file("a.png", img)).Want(http.StatusForbidden)
	upload(t, o, ref, field("_csrf", "wrong"), field("type", "COMPANY_DOC"), field("subType", "REGISTER_EXTRACT"), file("a.png", img)).Want(http.StatusForbidden)
	// The right token, but after the fields and the file: the check reads only the first part.
	body, ct := multipartBody(t, field("type", "COMPANY_DOC"), field("subType", "REGISTER_EXTRACT"), file("a.png", img), field("_csrf", o.CSRF))
	req := o.Request(http.MethodPost, path(c, "/documents"), body)
	req.Header.Set("Content-Type", ct)
	o.Do(req).Want(http.StatusForbidden)
	docs, err := s.Documents.List(context.Background(), s.Actor("officer"), c.Reference)
	if err != nil || len(docs) != 0 {
		t.Fatalf("stored %d documents without a valid token (%v)", len(docs), err)
	}
	// In the header (the upload script), in any order.
	body, ct = multipartBody(t, field("type", "COMPANY_DOC"), field("subType", "REGISTER_EXTRACT"), file("a.png", img))
	req = o.Request(http.MethodPost, path(c, "/documents"), body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-CSRF-Token", o.CSRF)
	o.Do(req).Want(http.StatusSeeOther)
}

// TestMultipartOnlyOnTheUploadRoute: every other page route still refuses a
// multipart body with 415 before anything reads it, and the upload route
// refuses a body declared larger than its limit with 413.
func TestMultipartOnlyOnTheUploadRoute(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	o := s.SignIn("officer")
	o.Get(path(c, ""))
	for _, route := range []string{"/notes", "/details", "/status", "/documents/" + c.Reference.String() + "/review"} {
		body, ct := multipartBody(t, field("_csrf", o.CSRF), field("text", "hello"))
		req := o.Request(http.MethodPost, path(c, route), body)
		req.Header.Set("Content-Type", ct)
		o.Do(req).Want(http.StatusUnsupportedMediaType)
	}
	// The upload route itself takes only multipart (its token is the body's first part): any
	// other body is refused before anything parses it (before the CSRF check, which would read it).
	o.PostForm(path(c, "/documents"), url.Values{"_csrf": {"not the token"}, "type": {"PASSPORT"}}).Want(http.StatusUnsupportedMediaType)
	big, ct := multipartBody(t, field("_csrf", o.CSRF), field("type", "PASSPORT"), file("big.png", make([]byte, 10<<20+64<<10)))
	req := o.Request(http.MethodPost, path(c, "/documents"), big)
	req.Header.Set("Content-Type", ct)
	if r := o.Do(req).Want(http.StatusRequestEntityTooLarge); !strings.Contains(r.Text("[data-testid=error-page]"), "10 MiB per file") {
		t.Errorf("413 page: %s", r.Text("[data-testid=error-page]"))
	}
}

// TestUploadPermissions: viewers see the documents but no upload form, and
// may neither open the upload page nor post; officers and admins may.
func TestUploadPermissions(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	stored(t, s, "officer", c, document.Meta{Type: "COMPANY_DOC", SubType: "REGISTER_EXTRACT", Name: "extract.png"}, pngFile(t, 5))
	for who, may := range map[string]bool{"viewer": false, "officer": true, "admin": true} {
		cl := s.SignIn(who)
		p := cl.Get(path(c, "")).Want(http.StatusOK)
		if p.Text("[data-testid=document-link]") != "extract.png" {
			t.Errorf("%s does not see the document", who)
		}
		if p.Has("[data-testid=upload-form]") != may || p.Has("[data-testid=upload-for]") != may {
			t.Errorf("%s: upload offered %v, want %v", who, p.Has("[data-testid=upload-form]"), may)
		}
		want := http.StatusForbidden
		if may {
			want = http.StatusOK
		}
		cl.Get(path(c, "/documents/new?person="+url.QueryEscape(personRef(c)))).Want(want)
		if !may {
			upload(t, cl, c.Reference.String(), field("type", "COMPANY_DOC"), field("subType", "INCORPORATION_CERT"), file("c.png", pngFile(t, 6))).Want(http.StatusForbidden)
		}
	}
	docs, _ := s.Documents.List(context.Background(), s.Actor("viewer"), c.Reference)
	if len(docs) != 1 {
		t.Fatalf("%d documents after a viewer's upload", len(docs))
	}
}

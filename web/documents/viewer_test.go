package documents_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/web/webtest"
)

// TestContentHeaders: the bytes come with the stored type, inline only for
// PNG, JPEG and PDF (attachment with ?download=1), never sniffed, sandboxed
// with nothing allowed, and out of caches.
func TestContentHeaders(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	img := pngFile(t, 7)
	pdf := pdfFile("Register extract")
	dImg := stored(t, s, "officer", c, document.Meta{PersonReference: personRef(c), Type: "PASSPORT", Name: "passport.png"}, img)
	dPDF := stored(t, s, "officer", c, document.Meta{Type: "COMPANY_DOC", SubType: "REGISTER_EXTRACT", Name: "Extract 2026 é.pdf"}, pdf)
	v := s.SignIn("viewer")
	for _, tc := range []struct {
		doc         document.Document
		query, ct   string
		disposition string
		body        []byte
	}{
		{dImg, "", "image/png", `inline; filename="passport.png"; filename*=UTF-8''passport.png`, img},
		{dImg, "?download=1", "image/png", `attachment; filename="passport.png"; filename*=UTF-8''passport.png`, img},
		{dPDF, "", "application/pdf", `inline; filename="Extract 2026 _.pdf"; filename*=UTF-8''Extract%202026%20%C3%A9.pdf`, pdf},
		{dPDF, "?download=1", "application/pdf", `attachment; filename="Extract 2026 _.pdf"; filename*=UTF-8''Extract%202026%20%C3%A9.pdf`, pdf},
	} {
		r := v.Get(path(c, "/documents/"+tc.doc.Reference.String()+"/content"+tc.query)).Want(http.StatusOK)
		h := r.Header
		if h.Get("Content-Type") != tc.ct || h.Get("Content-Disposition") != tc.disposition {
			t.Errorf("%s%s: type %q, disposition %q", tc.doc.Name, tc.query, h.Get("Content-Type"), h.Get("Content-Disposition"))
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Security-Policy") != "sandbox; default-src 'none'" ||
			!strings.Contains(h.Get("Cache-Control"), "no-store") {
			t.Errorf("%s: nosniff %q, CSP %q, cache %q", tc.doc.Name, h.Get("X-Content-Type-Options"), h.Get("Content-Security-Policy"), h.Get("Cache-Control"))
		}
		if r.Body != string(tc.body) {
			t.Errorf("%s: %d bytes served, %d stored", tc.doc.Name, len(r.Body), len(tc.body))
		}
	}
	v.Get(path(c, "/documents/"+c.Reference.String()+"/content")).Want(http.StatusNotFound)
	other := s.NewCustomer("officer", strings.Replace(webtest.SeedInput, "Bond Holdings", "Other Ltd", 1))
	v.Get(path(other, "/documents/"+dImg.Reference.String()+"/content")).Want(http.StatusNotFound)
	s.Anonymous().Get(path(c, "/documents/"+dImg.Reference.String()+"/content")).Want(http.StatusSeeOther)
}

// TestViewer: an image is shown inline, a PDF is handed to pdf.js (the
// viewer script and its worker are served from the site), with the facts
// beside them and Download as an attachment.
func TestViewer(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	dImg := stored(t, s, "officer", c, document.Meta{PersonReference: personRef(c), Type: "DRIVERS_LICENSE", SubType: "FRONT_SIDE", Name: "licence.png"}, pngFile(t, 8))
	dPDF := stored(t, s, "officer", c, document.Meta{Type: "COMPANY_DOC", SubType: "INCORPORATION_CERT", Name: "cert.pdf"}, pdfFile("Certificate"))
	v := s.SignIn("viewer")
	r := v.Get(path(c, "/documents/"+dImg.Reference.String())).Want(http.StatusOK)
	if src := r.Doc.Find("img[data-testid=document-image]").AttrOr("src", ""); src != path(c, "/documents/"+dImg.Reference.String()+"/content") {
		t.Errorf("image src %q", src)
	}
	if got := r.Text("[data-testid=document-title]"); got != "Driver's licence — Front side" {
		t.Errorf("title %q", got)
	}
	if !strings.Contains(r.Text("[data-testid=document-facts]"), "Sean Bond") || r.Text("[data-testid=document-sha256]") != dImg.SHA256 {
		t.Errorf("facts %q", r.Text("[data-testid=document-facts]"))
	}
	if href := r.Doc.Find("[data-testid=document-download]").AttrOr("href", ""); !strings.HasSuffix(href, "/content?download=1") {
		t.Errorf("download %q", href)
	}
	if r.Has("[data-testid=review-accept-form]") || r.Has("[data-testid=review-own-upload]") {
		t.Error("a viewer is offered a review")
	}
	r = v.Get(path(c, "/documents/"+dPDF.Reference.String())).Want(http.StatusOK)
	if src := r.Doc.Find("[data-testid=pdf-viewer]").AttrOr("data-pdf-src", ""); src != path(c, "/documents/"+dPDF.Reference.String()+"/content") {
		t.Errorf("pdf src %q", src)
	}
	if r.Doc.Find(`script[type=module][src="/static/js/viewer.mjs"]`).Length() != 1 {
		t.Error("no viewer script")
	}
	for _, asset := range []string{"/static/js/viewer.mjs", "/static/js/pdfjs/pdf.min.mjs", "/static/js/pdfjs/pdf.worker.min.mjs", "/static/js/documents.js"} {
		a := v.Get(asset).Want(http.StatusOK)
		if !strings.HasPrefix(a.Header.Get("Content-Type"), "text/javascript") {
			t.Errorf("%s served as %q", asset, a.Header.Get("Content-Type"))
		}
	}
	v.Get(path(c, "/documents/not-a-uuid")).Want(http.StatusNotFound)
}

// TestReview: officers and admins review, not the uploader (told why);
// rejecting needs a reason and comes back with its message; decisions show
// on the viewer, the section and in the history.
func TestReview(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	ctx := context.Background()
	extract := stored(t, s, "officer", c, document.Meta{Type: "COMPANY_DOC", SubType: "REGISTER_EXTRACT", Name: "extract.pdf"}, pdfFile("Extract"))
	licence := stored(t, s, "officer", c, document.Meta{PersonReference: personRef(c), Type: "DRIVERS_LICENSE", SubType: "FRONT_SIDE", Name: "licence.png"}, pngFile(t, 9))
	viewerOf := func(d document.Document) string { return path(c, "/documents/"+d.Reference.String()) }

	t.Run("per role", func(t *testing.T) {
		for who, want := range map[string][2]bool{ // review forms, four-eyes note
			"viewer": {false, false}, "officer": {false, true}, "officer2": {true, false}, "admin": {true, false},
		} {
			r := s.SignIn(who).Get(viewerOf(extract)).Want(http.StatusOK)
			got := [2]bool{r.Has("[data-testid=review-accept-form]") && r.Has("[data-testid=review-reject-form]"), r.Has("[data-testid=review-own-upload]")}
			if got != want {
				t.Errorf("%s sees %v, want %v", who, got, want)
			}
		}
	})
	t.Run("the uploader is refused with the reason on the page", func(t *testing.T) {
		o := s.SignIn("officer")
		o.Get(viewerOf(extract))
		r := o.PostForm(viewerOf(extract)+"/review", url.Values{"decision": {"ACCEPTED"}}).Want(http.StatusConflict)
		if !strings.Contains(r.Text("[data-testid=review-problem]"), "someone else must review it") {
			t.Fatalf("problem %q", r.Text("[data-testid=review-problem]"))
		}
	})
	t.Run("viewers may not post", func(t *testing.T) {
		v := s.SignIn("viewer")
		v.Get(viewerOf(extract))
		v.PostForm(viewerOf(extract)+"/review", url.Values{"decision": {"ACCEPTED"}}).Want(http.StatusForbidden)
	})
	a := s.SignIn("admin")
	t.Run("reject needs a reason", func(t *testing.T) {
		a.Get(viewerOf(licence))
		r := a.PostForm(viewerOf(licence)+"/review", url.Values{"decision": {"REJECTED"}, "reason": {"  "}}).Want(http.StatusUnprocessableEntity)
		if got := r.Text("#review-reason-error"); !strings.Contains(got, "Reason for rejecting is required") {
			t.Fatalf("reason error %q", got)
		}
	})
	t.Run("reject with a reason, then accept the other", func(t *testing.T) {
		r := a.PostForm(viewerOf(licence)+"/review", url.Values{"decision": {"REJECTED"}, "reason": {"Photo is blurred"}}).Want(http.StatusSeeOther)
		if r.Location() != viewerOf(licence) {
			t.Fatalf("location %q", r.Location())
		}
		p := a.Get(viewerOf(licence)).Want(http.StatusOK)
		if p.Text("[data-flash=success]") != "Document rejected." || p.Text("[data-testid=document-reason]") != "Photo is blurred" ||
			p.Doc.Find("[data-testid=document-state] [data-review-state]").AttrOr("data-review-state", "") != "REJECTED" {
			t.Fatalf("after reject: %s", p.Text("[data-testid=document-review]"))
		}
		if p.Has("[data-testid=review-accept-form]") {
			t.Error("a decided document still offers review")
		}
		a.PostForm(viewerOf(extract)+"/review", url.Values{"decision": {"ACCEPTED"}}).Want(http.StatusSeeOther)
		d, err := s.Documents.Get(ctx, s.Actor("admin"), c.Reference, extract.Reference)
		if err != nil || d.State != document.StateAccepted || d.ReviewedBy == "" {
			t.Fatalf("extract %+v, %v", d, err)
		}
		sec := a.Get(path(c, "")).Want(http.StatusOK)
		if got := sec.Doc.Find("[data-testid=document-row][data-document='"+licence.Reference.String()+"']").AttrOr("data-state", ""); got != "REJECTED" {
			t.Errorf("section state %q", got)
		}
	})
	t.Run("history words", func(t *testing.T) {
		h := a.Get(path(c, "/history")).Want(http.StatusOK)
		var titles, lines []string
		h.Doc.Find("[data-testid=history-entry]").Each(func(_ int, e *goquery.Selection) {
			titles = append(titles, squash(e.Find("p span.font-semibold").First().Text()))
			lines = append(lines, squash(e.Find("[data-testid=history-person]").Text()))
		})
		want := []string{"Document accepted", "Document rejected", "Document uploaded", "Document uploaded", "Created"}
		if strings.Join(titles, "|") != strings.Join(want, "|") {
			t.Fatalf("titles %q", titles)
		}
		for i, w := range []string{
			"Company document — Register extract: extract.pdf: Pending review → Accepted · View document",
			"Driver's licence — Front side of Sean Bond: licence.png: Pending review → Rejected · View document",
			"Driver's licence — Front side of Sean Bond: licence.png (",
			"Company document — Register extract: extract.pdf (",
		} {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("entry %d: %q, want it to start %q", i, lines[i], w)
			}
		}
		if got := h.Text("[data-testid=history-reason]"); got != "Photo is blurred" {
			t.Errorf("reason %q", got)
		}
		if href := h.Doc.Find("[data-testid=history-document-link]").First().AttrOr("href", ""); href != viewerOf(extract) {
			t.Errorf("link %q", href)
		}
		p := a.Get(path(c, "")).Want(http.StatusOK)
		if got := p.Text("[data-testid=history-preview] li:first-child"); !strings.Contains(got, "Document accepted") || !strings.Contains(got, "extract.pdf") {
			t.Errorf("recent changes %q", got)
		}
	})
}

// TestSectionVersionsAndRemovedAssociates: a re-upload folds the old version
// under the new ("1 earlier version"), its history says "Document replaced";
// an associate removed from the list keeps a group of their documents.
func TestSectionVersionsAndRemovedAssociates(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	ctx := context.Background()
	person := personRef(c)
	old := stored(t, s, "officer", c, document.Meta{PersonReference: person, Type: "PASSPORT", Name: "passport-old.png"}, pngFile(t, 10))
	cur := stored(t, s, "officer", c, document.Meta{PersonReference: person, Type: "PASSPORT", Name: "passport-new.png"}, pngFile(t, 11))
	o := s.SignIn("officer")
	p := o.Get(path(c, "")).Want(http.StatusOK)
	group := p.Doc.Find("[data-testid=documents-group][data-person='" + person + "']")
	if got := squash(group.Find("[data-testid=document-row] > div [data-testid=document-link]").Text()); got != "passport-new.png" {
		t.Fatalf("current %q", got)
	}
	if got := squash(group.Find("[data-testid=document-earlier] summary").Text()); got != "1 earlier version" {
		t.Fatalf("fold %q", got)
	}
	if got := group.Find("[data-testid=document-earlier-row]").AttrOr("data-document", ""); got != old.Reference.String() {
		t.Fatalf("earlier %q", got)
	}
	r := o.Get(path(c, "/documents/"+old.Reference.String())).Want(http.StatusOK)
	if !r.Has("[data-testid=document-superseded]") || r.Has("[data-testid=review-accept-form]") || r.Has("[data-testid=review-own-upload]") {
		t.Error("the old version must say it was replaced and offer no review")
	}
	if href := r.Doc.Find("[data-testid=document-newer]").AttrOr("href", ""); href != path(c, "/documents/"+cur.Reference.String()) {
		t.Errorf("newer link %q", href)
	}
	h := o.Get(path(c, "/history")).Want(http.StatusOK)
	if got := squash(h.Doc.Find("[data-testid=history-entry]").First().Text()); !strings.Contains(got, "Document replaced") || !strings.Contains(got, "replacing an earlier upload") {
		t.Errorf("history %q", got)
	}

	// Replace the associates with someone else: Sean Bond's documents stay, under his name.
	in := customer.AssociateInput{}
	first, last, dob := "Grace", "Hopper", "1960-12-09"
	in.Person.FirstName, in.Person.LastName, in.Person.DateOfBirth = &first, &last, &dob
	if _, err := s.Customers.ReplaceAssociates(ctx, s.Actor("officer2"), c.Reference, customer.AssociatesInput{Associates: &[]customer.AssociateInput{in}}, nil); err != nil {
		t.Fatal(err)
	}
	p = o.Get(path(c, "")).Want(http.StatusOK)
	removed := p.Doc.Find("[data-testid=documents-group][data-removed=true]")
	if removed.AttrOr("data-person", "") != person || !strings.Contains(removed.Find("h3").Text(), "Sean Bond") ||
		removed.Find("[data-testid=document-row]").Length() != 1 {
		t.Fatalf("removed group: %q", squash(removed.Text()))
	}
	if removed.Find("[data-testid=upload-for]").Length() != 0 {
		t.Error("upload offered for a removed associate")
	}
	if got := o.Get(path(c, "/documents/"+cur.Reference.String())).Want(http.StatusOK).Text("[data-testid=document-page] > div > p.text-slate-600"); !strings.Contains(got, "Sean Bond (removed associate)") {
		t.Errorf("viewer says %q", got)
	}
}

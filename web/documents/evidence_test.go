package documents_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/web/webtest"
)

// codes lists the data-code of the problems a selector finds.
func codes(r *webtest.Response, selector string) []string {
	var out []string
	r.Doc.Find(strings.TrimSpace(selector + " [data-testid=approval-problem]")).Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("data-code", ""))
	})
	return out
}

// TestMissingEvidenceIsAWarningWhenTheRuleIsOff: the section says what the
// rule would want, but Approve is not held by it and approval goes through.
func TestMissingEvidenceIsAWarningWhenTheRuleIsOff(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	a := s.SignIn("admin")
	p := a.Get(path(c, "")).Want(http.StatusOK)
	box := p.Doc.Find("[data-testid=documents-missing]")
	if box.AttrOr("data-required", "") != "false" || !strings.Contains(box.Text(), "a warning") {
		t.Fatalf("missing box: %q", squash(box.Text()))
	}
	if got := strings.Join(codes(p, "[data-testid=documents-missing]"), ","); got != "document_missing,document_missing" {
		t.Fatalf("missing %q", got)
	}
	if p.Has("[data-testid=approve-blockers]") {
		t.Fatalf("approve held: %s", p.Text("[data-testid=approve-blockers]"))
	}
	a.PostForm(path(c, "/status"), url.Values{"status": {"VERIFIED"}, "version": {strconv.Itoa(c.Version)}}).Want(http.StatusSeeOther)
}

// TestApprovalBlockedUntilDocumentsAccepted: with APPROVAL_REQUIRES_DOCUMENTS
// the missing evidence joins Approve's blockers (linked to the upload form
// for whose it is), a pending document links to the section, and approval is
// refused until the company's extract and the associate's identity document
// are accepted.
func TestApprovalBlockedUntilDocumentsAccepted(t *testing.T) {
	s := webtest.NewWith(t, webtest.Options{Config: func(c *config.Config) { c.ApprovalRequiresDocuments = true }})
	c := s.NewCustomer("officer", "")
	ctx := context.Background()
	a := s.SignIn("admin")
	p := a.Get(path(c, "")).Want(http.StatusOK)
	if got := strings.Join(codes(p, "[data-testid=approve-blockers]"), ","); got != "document_missing,document_missing" {
		t.Fatalf("blockers %q", got)
	}
	if _, disabled := p.Doc.Find("[data-testid=action-approve]").Attr("disabled"); !disabled {
		t.Error("Approve is not disabled")
	}
	if p.Doc.Find("[data-testid=documents-missing]").AttrOr("data-required", "") != "true" {
		t.Error("the section does not say the evidence is required")
	}
	var hrefs []string
	p.Doc.Find("[data-testid=approve-blockers] [data-testid=approval-problem-link]").Each(func(_ int, s *goquery.Selection) {
		hrefs = append(hrefs, s.AttrOr("href", ""))
	})
	want := []string{path(c, "/documents/new?type=COMPANY_DOC"), path(c, "/documents/new?person="+personRef(c))}
	if strings.Join(hrefs, " ") != strings.Join(want, " ") {
		t.Fatalf("links %q, want %q", hrefs, want)
	}
	// The linked upload page starts with whose and what.
	up := a.Get(want[1]).Want(http.StatusOK)
	if got := up.Doc.Find("#doc-person option[selected]").AttrOr("value", ""); got != personRef(c) {
		t.Errorf("upload page for %q", got)
	}
	if got := codes(a.Get(path(c, "/status?to=VERIFIED")).Want(http.StatusOK), ""); len(got) != 2 {
		t.Errorf("status page lists %q", got)
	}
	r := a.PostForm(path(c, "/status"), url.Values{"status": {"VERIFIED"}, "version": {strconv.Itoa(c.Version)}}).Want(http.StatusConflict)
	if got := strings.Join(codes(r, ""), ","); got != "document_missing,document_missing" {
		t.Fatalf("refusal lists %q", got)
	}

	extract := stored(t, s, "officer", c, document.Meta{Type: "COMPANY_DOC", SubType: "REGISTER_EXTRACT", Name: "extract.pdf"}, pdfFile("Extract"))
	licence := stored(t, s, "officer", c, document.Meta{PersonReference: personRef(c), Type: "DRIVERS_LICENSE", SubType: "FRONT_SIDE", Name: "licence.png"}, pngFile(t, 12))
	p = a.Get(path(c, "")).Want(http.StatusOK)
	if got := strings.Join(codes(p, "[data-testid=approve-blockers]"), ","); got != "document_pending,document_pending" {
		t.Fatalf("blockers while pending %q", got)
	}
	if href := p.Doc.Find("[data-testid=approve-blockers] [data-testid=approval-problem-link]").First().AttrOr("href", ""); href != path(c, "#documents") {
		t.Errorf("pending links to %q", href)
	}
	for _, d := range []document.Document{extract, licence} {
		if _, err := s.Documents.Review(ctx, s.Actor("officer2"), c.Reference, d.Reference, document.ReviewInput{Decision: document.StateAccepted}); err != nil {
			t.Fatal(err)
		}
	}
	p = a.Get(path(c, "")).Want(http.StatusOK)
	if p.Has("[data-testid=approve-blockers]") || p.Has("[data-testid=documents-missing]") {
		t.Fatalf("still blocked: %s", p.Text("[data-testid=approve-blockers]"))
	}
	a.PostForm(path(c, "/status"), url.Values{"status": {"VERIFIED"}, "version": {strconv.Itoa(c.Version)}}).Want(http.StatusSeeOther)
	got, err := s.Customers.Get(ctx, s.Actor("admin"), c.Reference)
	if err != nil || got.Status != customer.StatusVerified {
		t.Fatalf("status %v, %v", got.Status, err)
	}
}

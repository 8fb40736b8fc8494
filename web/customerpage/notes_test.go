package customerpage_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/web/webtest"
)

// TestNotesCard: officers add notes without JavaScript (303 back) and with
// htmx; a refused note comes back with its text; viewers only read; a note
// is text, never HTML, on the page and in the history.
func TestNotesCard(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")

	t.Run("viewer reads without a form and may not post", func(t *testing.T) {
		v := s.SignIn("viewer")
		r := v.Get(path(c, "")).Want(http.StatusOK)
		if !r.Has("[data-testid=notes-card]") || r.Has("[data-testid=note-form]") || !r.Has("[data-testid=notes-empty]") {
			t.Fatalf("viewer's card: %s", r.Text("[data-testid=notes-card]"))
		}
		v.PostForm(path(c, "/notes"), url.Values{"text": {"hi"}}).Want(http.StatusForbidden)
	})

	const evil = "<script>alert(1)</script> see https://evil.example/x?a=1&b=2\nsecond line"
	t.Run("no-JS add answers 303 and the note shows as text", func(t *testing.T) {
		o := s.SignIn("officer")
		o.Get(path(c, ""))
		r := o.PostForm(path(c, "/notes"), url.Values{"text": {evil}}).Want(http.StatusSeeOther)
		if r.Location() != path(c, "#notes") {
			t.Fatalf("location %q", r.Location())
		}
		p := o.Get(path(c, "")).Want(http.StatusOK)
		if got := p.Doc.Find("[data-testid=note] [data-testid=note-text-shown]").Text(); got != evil {
			t.Fatalf("note shown as %q", got)
		}
		if got := p.Text("[data-testid=note-author]"); got != "Olive Officer" {
			t.Fatalf("author %q", got)
		}
		if strings.Contains(p.Body, "<script>alert(1)") || p.Doc.Find("[data-testid=notes-card] a[href^='https://evil']").Length() != 0 {
			t.Fatal("the note's markup or link became HTML")
		}
		if got := p.Doc.Find("[data-testid=history-preview-note]").Text(); got != evil {
			t.Fatalf("recent changes show %q", got)
		}
		h := o.Get(path(c, "/history")).Want(http.StatusOK)
		if got := h.Doc.Find("[data-testid=history-entry][data-action='customer.note'] [data-testid=history-note]").Text(); got != evil {
			t.Fatalf("history shows %q", got)
		}
		if strings.Contains(h.Body, "<script>alert(1)") {
			t.Fatal("history renders the note as HTML")
		}
	})

	t.Run("422 keeps the text", func(t *testing.T) {
		o := s.SignIn("officer")
		o.Get(path(c, ""))
		long := strings.Repeat("x", 5001)
		r := o.PostForm(path(c, "/notes"), url.Values{"text": {long}}).Want(http.StatusUnprocessableEntity)
		if r.Doc.Find("textarea[data-testid=note-text]").Text() != long || !strings.Contains(r.Text("[data-testid=notes-card]"), "at most 5000") {
			t.Fatalf("re-rendered card: %.200s", r.Text("[data-testid=notes-card]"))
		}
		if !r.Has("[data-testid=details-card]") {
			t.Fatal("without JavaScript the whole page comes back")
		}
		h := o.HTMX(http.MethodPost, path(c, "/notes"), url.Values{"text": {"  "}}).Want(http.StatusUnprocessableEntity)
		if !h.Has("[data-testid=note-form]") || h.Has("[data-testid=details-card]") {
			t.Fatalf("htmx answer is not the card alone: %.300s", h.Body)
		}
	})

	t.Run("htmx add reloads the page", func(t *testing.T) {
		o := s.SignIn("officer")
		o.Get(path(c, ""))
		r := o.HTMX(http.MethodPost, path(c, "/notes"), url.Values{"text": {"Second"}}).Want(http.StatusNoContent)
		if r.Header.Get("HX-Location") != path(c, "#notes") {
			t.Fatalf("HX-Location %q", r.Header.Get("HX-Location"))
		}
		if got := o.Get(path(c, "")).Text("[data-testid=note]:first-child [data-testid=note-text-shown]"); got != "Second" {
			t.Fatalf("newest note %q", got)
		}
	})
}

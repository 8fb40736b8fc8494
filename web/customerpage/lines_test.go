package customerpage_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/webtest"
)

// TestLineBreaksShown: a description and a reason typed on several lines in
// the pages' text areas are saved (\r\n as \n) and shown with their line
// breaks, on the customer page and in the history.
func TestLineBreaksShown(t *testing.T) {
	s := webtest.New(t)
	c := s.NewCustomer("officer", "")
	o := s.SignIn("officer")

	form := detailsForm(c)
	form.Set("company.description", "Holding company.\r\nTrading arm in London.")
	o.PostForm(path(c, "/details"), form).Want(http.StatusSeeOther)
	c = stored(t, s, c)
	if got := *c.Company.Description; got != "Holding company.\nTrading arm in London." {
		t.Fatalf("stored description %q", got)
	}

	a := s.SignIn("admin2")
	a.PostForm(path(c, "/status"), url.Values{"status": {"REJECTED"}, "version": {strconv.Itoa(c.Version)},
		"reason": {"Registry extract is outdated.\r\nAsk for a new one."}}).Want(http.StatusSeeOther)

	page := o.Get(path(c, "")).Want(http.StatusOK)
	desc := page.Doc.Find("[data-testid=detail-description]")
	if !desc.HasClass("text-lines") || desc.Text() != "Holding company.\nTrading arm in London." {
		t.Errorf("description %q shown without its line breaks (class %q)", desc.Text(), desc.AttrOr("class", ""))
	}
	reason := page.Doc.Find("[data-testid=history-preview-reason]").First()
	if !reason.HasClass("text-lines") || reason.Text() != "Registry extract is outdated.\nAsk for a new one." {
		t.Errorf("recent changes: reason %q (class %q)", reason.Text(), reason.AttrOr("class", ""))
	}

	hist := o.Get(path(c, "/history")).Want(http.StatusOK)
	reason = hist.Doc.Find("[data-testid=history-reason]").First()
	if !reason.HasClass("text-lines") || !strings.Contains(reason.Text(), "outdated.\nAsk") {
		t.Errorf("history: reason %q (class %q)", reason.Text(), reason.AttrOr("class", ""))
	}
	if st := stored(t, s, c); st.Status != customer.StatusRejected {
		t.Fatalf("status %s", st.Status)
	}
}

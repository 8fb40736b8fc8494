package customerpage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/web/webtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// noAssociates is a valid customer that cannot be approved: nobody is on it.
const noAssociates = `{
  "riskScore": "MEDIUM",
  "company": {
    "name": "Lonely Ltd", "taxResidenceCountryCode": "GB", "registrationNumber": "12345678",
    "address": {"addressLine1": "2 High St", "city": "London", "postalCode": "SW1A 1AA", "countryCode": "GB"}
  }
}`

func path(c *customer.Customer, rest string) string {
	return "/customers/" + c.Reference.String() + rest
}

func setStatus(t *testing.T, s *webtest.Site, by string, c *customer.Customer, to customer.Status, reason string) *customer.Customer {
	t.Helper()
	cur, err := s.Customers.Get(context.Background(), s.Actor(by), c.Reference)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Customers.SetStatus(context.Background(), s.Actor(by), c.Reference,
		customer.StatusChange{Status: string(to), Reason: &reason}, customer.Versions{cur.Version}, true)
	if err != nil {
		t.Fatalf("set status %s: %v", to, err)
	}
	return out
}

func stored(t *testing.T, s *webtest.Site, c *customer.Customer) *customer.Customer {
	t.Helper()
	cur, err := s.Customers.Get(context.Background(), s.Actor("admin"), c.Reference)
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

// actionsOn lists the status actions and the edit button the page offers.
func actionsOn(r *webtest.Response) []string {
	var out []string
	for _, id := range []string{"action-approve", "action-reject", "action-reopen", "details-edit"} {
		if r.Has("[data-testid=" + id + "]") {
			out = append(out, id)
		}
	}
	return out
}

func TestCustomerPage(t *testing.T) {
	s := webtest.New(t)
	pending := s.NewCustomer("officer", "")
	verified := s.NewCustomer("officer", "")
	setStatus(t, s, "admin", verified, customer.StatusVerified, "")
	rejected := s.NewCustomer("officer", "")
	setStatus(t, s, "admin", rejected, customer.StatusRejected, "documents forged")

	t.Run("header shows name, badges, reference with copy, verification link and times", func(t *testing.T) {
		r := s.SignIn("viewer").Get(path(pending, "")).Want(http.StatusOK)
		if r.Doc.Find("h1").Length() != 1 || r.Text("h1") != "Bond Holdings" {
			t.Fatalf("h1: %q", r.Text("h1"))
		}
		if !strings.Contains(r.Text("[data-testid=customer-status]"), "Pending") {
			t.Errorf("status badge: %q", r.Text("[data-testid=customer-status]"))
		}
		if r.Text("[data-testid=customer-reference]") != pending.Reference.String() {
			t.Errorf("reference: %q", r.Text("[data-testid=customer-reference]"))
		}
		if v, _ := r.Doc.Find("[data-copy]").Attr("data-copy"); v != pending.Reference.String() {
			t.Errorf("copy button copies %q", v)
		}
		link := r.Doc.Find("[data-testid=verification-link]")
		if href, _ := link.Attr("href"); href != pending.Company.Verification.URL || href == "" {
			t.Errorf("verification link %q, want %q", href, pending.Company.Verification.URL)
		}
		if tgt, _ := link.Attr("target"); tgt != "_blank" {
			t.Errorf("verification link target %q", tgt)
		}
		if rel, _ := link.Attr("rel"); !strings.Contains(rel, "noopener") {
			t.Errorf("verification link rel %q", rel)
		}
		if r.Doc.Find("[data-testid=customer-created] time, [data-testid=customer-updated] time").Length() != 2 {
			t.Errorf("created and updated times not both shown")
		}
		if !r.Has("[data-testid=details-card]") || !r.Has("[data-testid=associates]") || !r.Has("[data-testid=history-preview]") {
			t.Errorf("a section is missing")
		}
		if href, _ := r.Doc.Find("[data-testid=history-link]").Attr("href"); href != path(pending, "/history") {
			t.Errorf("full history link %q", href)
		}
	})

	cases := []struct {
		user string
		c    *customer.Customer
		want string
	}{
		{"viewer", pending, ""},
		{"viewer", verified, ""},
		{"officer", pending, "details-edit"},
		{"officer", verified, "action-reopen details-edit"},
		{"officer", rejected, "action-reopen details-edit"},
		{"admin", pending, "action-approve action-reject details-edit"},
		{"admin", verified, "action-reject action-reopen details-edit"},
		{"admin", rejected, "action-reopen details-edit"},
	}
	for _, tc := range cases {
		t.Run(tc.user+" on a "+string(stored(t, s, tc.c).Status)+" customer sees only their actions", func(t *testing.T) {
			r := s.SignIn(tc.user).Get(path(tc.c, "")).Want(http.StatusOK)
			if got := strings.Join(actionsOn(r), " "); got != tc.want {
				t.Fatalf("actions %q, want %q", got, tc.want)
			}
			// Every offered move opens its dialog, and without JS links to the status page.
			r.Doc.Find("[data-testid^=action-]").Each(func(_ int, a *goquery.Selection) {
				id, _ := a.Attr("data-dialog-open")
				href, _ := a.Attr("href")
				if id == "" || !r.Has("dialog#"+id+" [data-testid=status-dialog]") {
					t.Errorf("%s opens dialog %q, not on the page", a.AttrOr("data-testid", ""), id)
				}
				if !strings.HasPrefix(href, path(tc.c, "/status?to=")) {
					t.Errorf("%s links to %q", a.AttrOr("data-testid", ""), href)
				}
			})
			if n := r.Doc.Find("[data-testid=status-dialog]").Length(); n != len(actionsOn(r))-btoi(r.Has("[data-testid=details-edit]")) {
				t.Errorf("%d dialogs for actions %v", n, actionsOn(r))
			}
		})
	}

	t.Run("the reject and reopen dialogs require a reason, approve does not", func(t *testing.T) {
		r := s.SignIn("admin").Get(path(pending, "")).Want(http.StatusOK)
		if _, req := r.Doc.Find("#status-dialog-rejected [data-testid=status-reason]").Attr("required"); !req {
			t.Error("reject reason not required")
		}
		if _, req := r.Doc.Find("#status-dialog-verified [data-testid=status-reason]").Attr("required"); req {
			t.Error("approve reason required")
		}
		if v, _ := r.Doc.Find("#status-dialog-verified input[name=version]").Attr("value"); v != strconv.Itoa(pending.Version) {
			t.Errorf("dialog version %q", v)
		}
		r = s.SignIn("officer").Get(path(verified, "")).Want(http.StatusOK)
		if _, req := r.Doc.Find("#status-dialog-pending [data-testid=status-reason]").Attr("required"); !req {
			t.Error("reopen reason not required")
		}
	})

	t.Run("unknown and malformed references are not found", func(t *testing.T) {
		c := s.SignIn("viewer")
		c.Get("/customers/" + uuid.NewString()).Want(http.StatusNotFound)
		c.Get("/customers/not-a-reference").Want(http.StatusNotFound)
		c.Get("/customers/" + uuid.NewString() + "/history").Want(http.StatusNotFound)
		c.Get("/customers/" + uuid.NewString() + "/details/edit").Want(http.StatusNotFound)
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestApproveBlockers(t *testing.T) {
	s := webtest.New(t)

	t.Run("a customer without associates says so next to a disabled Approve", func(t *testing.T) {
		c := s.NewCustomer("officer", noAssociates)
		r := s.SignIn("admin").Get(path(c, "")).Want(http.StatusOK)
		if !strings.Contains(r.Text("[data-testid=approve-blockers]"), "at least one") {
			t.Fatalf("blockers: %q", r.Text("[data-testid=approve-blockers]"))
		}
		if _, dis := r.Doc.Find("[data-testid=action-approve]").Attr("disabled"); !dis {
			t.Error("Approve is not disabled")
		}
		if r.Has("#status-dialog-verified") {
			t.Error("an approve dialog is offered anyway")
		}
		if !r.Has("[data-testid=action-reject]") {
			t.Error("reject should still be offered")
		}
		// The no-JS page explains too.
		r = s.SignIn("admin").Get(path(c, "/status?to=VERIFIED")).Want(http.StatusOK)
		if !strings.Contains(r.Text("[data-testid=status-problem]"), "at least one") {
			t.Errorf("status page problem: %q", r.Text("[data-testid=status-problem]"))
		}
	})

	t.Run("every blocker is listed", func(t *testing.T) {
		body := strings.Replace(webtest.SeedInput, `"hasControl": true`, `"hasControl": false`, 1)
		body = strings.Replace(body, `"number": "123456789", "type": "DRIVERS_LICENSE", `, "", 1)
		c := s.NewCustomer("admin", body)
		r := s.SignIn("admin").Get(path(c, "")).Want(http.StatusOK)
		if got := problemCodes(r.Doc.Find("[data-testid=approve-blockers]")); got != "no_control incomplete_document four_eyes" {
			t.Fatalf("blockers %s: %q", got, r.Text("[data-testid=approve-blockers]"))
		}
	})

	t.Run("four-eyes: the admin who last edited cannot approve, another admin can", func(t *testing.T) {
		c := s.NewCustomer("admin", "")
		r := s.SignIn("admin").Get(path(c, "")).Want(http.StatusOK)
		if !strings.Contains(r.Text("[data-testid=approve-blockers]"), "Four-eyes") {
			t.Fatalf("blockers: %q", r.Text("[data-testid=approve-blockers]"))
		}
		if _, dis := r.Doc.Find("[data-testid=action-approve]").Attr("disabled"); !dis {
			t.Error("Approve is not disabled")
		}
		r = s.SignIn("admin2").Get(path(c, "")).Want(http.StatusOK)
		if r.Has("[data-testid=approve-blockers]") {
			t.Fatalf("second admin blocked: %q", r.Text("[data-testid=approve-blockers]"))
		}
		if _, dis := r.Doc.Find("[data-testid=action-approve]").Attr("disabled"); dis {
			t.Error("Approve disabled for the second admin")
		}
	})
}

func TestStatusChange(t *testing.T) {
	s := webtest.New(t)
	form := func(c *customer.Customer, to customer.Status, reason string) url.Values {
		return url.Values{"status": {string(to)}, "version": {strconv.Itoa(stored(t, s, c).Version)}, "reason": {reason}}
	}

	t.Run("a viewer may not change the status", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		v := s.SignIn("viewer")
		v.PostForm(path(c, "/status"), form(c, customer.StatusVerified, "")).Want(http.StatusForbidden)
		v.PostForm(path(c, "/status"), form(c, customer.StatusRejected, "no")).Want(http.StatusForbidden)
		if stored(t, s, c).Status != customer.StatusPending {
			t.Fatal("status changed")
		}
	})

	t.Run("an officer may not approve", func(t *testing.T) {
		c := s.NewCustomer("admin", "")
		s.SignIn("officer").PostForm(path(c, "/status"), form(c, customer.StatusVerified, "")).Want(http.StatusForbidden)
		if stored(t, s, c).Status != customer.StatusPending {
			t.Fatal("status changed")
		}
	})

	t.Run("reject without a reason is refused with the reason marked", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		r := s.SignIn("admin").PostForm(path(c, "/status"), form(c, customer.StatusRejected, "  ")).Want(http.StatusUnprocessableEntity)
		if inv, _ := r.Doc.Find("[data-testid=status-reason]").Attr("aria-invalid"); inv != "true" {
			t.Fatalf("reason not marked invalid:\n%s", r.Body)
		}
		if r.Doc.Find("h1").Length() != 1 {
			t.Error("the plain re-render is not a full page")
		}
		if stored(t, s, c).Status != customer.StatusPending {
			t.Fatal("status changed")
		}
		// In the dialog (htmx) only the form comes back.
		r = s.SignIn("admin").HTMX(http.MethodPost, path(c, "/status"), form(c, customer.StatusRejected, "")).Want(http.StatusUnprocessableEntity)
		if r.Has("h1") || !r.Has("[data-testid=status-form-REJECTED]") {
			t.Fatalf("htmx answer is not the form fragment:\n%s", r.Body)
		}
	})

	t.Run("four-eyes refusal shows the service's message", func(t *testing.T) {
		c := s.NewCustomer("admin", "")
		r := s.SignIn("admin").PostForm(path(c, "/status"), form(c, customer.StatusVerified, "")).Want(http.StatusConflict)
		if !strings.Contains(r.Text("[data-testid=status-problem]"), "cannot be approved") ||
			problemCodes(r.Doc.Find("[data-testid=status-problem]")) != "four_eyes" {
			t.Fatalf("problem: %q", r.Text("[data-testid=status-problem]"))
		}
	})

	t.Run("approval by a second admin", func(t *testing.T) {
		c := s.NewCustomer("admin", "")
		a2 := s.SignIn("admin2")
		r := a2.PostForm(path(c, "/status"), form(c, customer.StatusVerified, "all documents checked")).Want(http.StatusSeeOther)
		if r.Location() != path(c, "") {
			t.Fatalf("went to %q", r.Location())
		}
		if stored(t, s, c).Status != customer.StatusVerified {
			t.Fatal("not verified")
		}
		r = a2.Get(r.Location()).Want(http.StatusOK)
		if !strings.Contains(r.Body, "Customer approved") {
			t.Error("no flash")
		}
		if !strings.Contains(r.Text("[data-testid=customer-status]"), "Verified") {
			t.Errorf("status badge %q", r.Text("[data-testid=customer-status]"))
		}
	})

	t.Run("reopen by an officer, from the dialog (htmx)", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		setStatus(t, s, "admin", c, customer.StatusRejected, "bad papers")
		o := s.SignIn("officer")
		r := o.HTMX(http.MethodPost, path(c, "/status"), form(c, customer.StatusPending, "new papers arrived"))
		if r.Header.Get("HX-Location") != path(c, "") {
			t.Fatalf("HX-Location %q (status %d)", r.Header.Get("HX-Location"), r.Status)
		}
		if stored(t, s, c).Status != customer.StatusPending {
			t.Fatal("not reopened")
		}
		if !strings.Contains(o.Get(path(c, "")).Body, "Customer reopened") {
			t.Error("no flash")
		}
	})

	t.Run("a status change from a stale page is refused", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		old := form(c, customer.StatusRejected, "fraud")
		setStatus(t, s, "admin2", c, customer.StatusRejected, "first")
		setStatus(t, s, "admin2", c, customer.StatusPending, "second look")
		r := s.SignIn("admin").PostForm(path(c, "/status"), old).Want(http.StatusConflict)
		if !strings.Contains(r.Text("[data-testid=status-problem]"), "Alan Admin") {
			t.Fatalf("problem: %q", r.Text("[data-testid=status-problem]"))
		}
		if stored(t, s, c).Status != customer.StatusPending {
			t.Fatal("stale move applied")
		}
	})

	t.Run("without the CSRF token nothing happens", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		f := form(c, customer.StatusRejected, "fraud")
		f.Set("_csrf", "")
		s.SignIn("admin").PostForm(path(c, "/status"), f).Want(http.StatusForbidden)
		if stored(t, s, c).Status != customer.StatusPending {
			t.Fatal("status changed")
		}
	})

	t.Run("the no-JS status page", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		a := s.SignIn("admin")
		r := a.Get(path(c, "/status?to=REJECTED")).Want(http.StatusOK)
		f := r.Doc.Find("form[data-testid=status-form-REJECTED]")
		if act, _ := f.Attr("action"); act != path(c, "/status") {
			t.Fatalf("form posts to %q", act)
		}
		if _, req := f.Find("[data-testid=status-reason]").Attr("required"); !req {
			t.Error("reason not required")
		}
		if f.Find("input[name=_csrf]").Length() != 1 || f.Find("input[name=version]").Length() != 1 {
			t.Error("hidden fields missing")
		}
		a.Get(path(c, "/status?to=SIDEWAYS")).Want(http.StatusNotFound)
		// A move the role may not make is not offered as a page either.
		s.SignIn("viewer").Get(path(c, "/status?to=REJECTED")).Want(http.StatusForbidden)
		s.SignIn("officer").Get(path(c, "/status?to=VERIFIED")).Want(http.StatusForbidden)
	})
}

func detailsForm(c *customer.Customer) url.Values {
	return url.Values{
		"version":                         {strconv.Itoa(c.Version)},
		"company.name":                    {"Bond Holdings Group"},
		"company.registrationNumber":      {"21-4532998"},
		"company.taxResidenceCountryCode": {"US"},
		"riskScore":                       {"MEDIUM"},
		"company.description":             {""},
		"company.address.addressLine1":    {"5 Broad St"},
		"company.address.addressLine2":    {""},
		"company.address.city":            {"New York"},
		"company.address.postalCode":      {"10004"},
		"company.address.countryCode":     {"US"},
	}
}

func TestDetailsEdit(t *testing.T) {
	s := webtest.New(t)

	t.Run("htmx gets the form fragment, a plain browser the whole page", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		o := s.SignIn("officer")
		r := o.HTMX(http.MethodGet, path(c, "/details/edit"), nil).Want(http.StatusOK)
		if r.Has("h1") || r.Has("nav") || !r.Has("form[data-testid=details-form]") {
			t.Fatalf("not the fragment alone:\n%s", r.Body)
		}
		if v, _ := r.Doc.Find("#company-name").Attr("value"); v != "Bond Holdings" {
			t.Errorf("name %q", v)
		}
		if v, _ := r.Doc.Find("input[name=version]").Attr("value"); v != strconv.Itoa(c.Version) {
			t.Errorf("version %q", v)
		}
		r = o.Get(path(c, "/details/edit")).Want(http.StatusOK)
		if r.Text("h1") != "Bond Holdings" || !r.Has("form[data-testid=details-form]") || r.Has("[data-testid=details-card]") {
			t.Fatal("the plain edit page is not the customer page with the form in place")
		}
		// Cancel: the read-only card for htmx, the page otherwise.
		r = o.HTMX(http.MethodGet, path(c, "/details"), nil).Want(http.StatusOK)
		if !r.Has("[data-testid=details-card]") || r.Has("h1") {
			t.Fatalf("cancel fragment:\n%s", r.Body)
		}
		if href, _ := o.Get(path(c, "/details/edit")).Doc.Find("[data-testid=details-cancel]").Attr("href"); href != path(c, "") {
			t.Errorf("cancel link %q", href)
		}
	})

	t.Run("a viewer may not edit", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		v := s.SignIn("viewer")
		v.Get(path(c, "/details/edit")).Want(http.StatusForbidden)
		v.PostForm(path(c, "/details"), detailsForm(c)).Want(http.StatusForbidden)
		if stored(t, s, c).Company.Name != "Bond Holdings" {
			t.Fatal("changed by a viewer")
		}
	})

	t.Run("a bad country code is marked under its field, input kept", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		f := detailsForm(c)
		f.Set("company.address.countryCode", "XX")
		r := s.SignIn("officer").PostForm(path(c, "/details"), f).Want(http.StatusUnprocessableEntity)
		sel := r.Doc.Find("#company-address-countryCode")
		if inv, _ := sel.Attr("aria-invalid"); inv != "true" {
			t.Fatalf("country not marked invalid:\n%s", r.Body)
		}
		if r.Text("#company-address-countryCode-error") == "" {
			t.Error("no message under the country")
		}
		if v, _ := sel.Find("option[selected]").Attr("value"); v != "XX" {
			t.Errorf("typed country not kept: %q", v)
		}
		if v, _ := r.Doc.Find("#company-name").Attr("value"); v != "Bond Holdings Group" {
			t.Errorf("name not kept: %q", v)
		}
		if v, _ := r.Doc.Find("#company-address-addressLine1").Attr("value"); v != "5 Broad St" {
			t.Errorf("address not kept: %q", v)
		}
		if !r.Has("[data-testid=error-summary]") {
			t.Error("no error summary")
		}
		if stored(t, s, c).Company.Name != "Bond Holdings" {
			t.Fatal("saved despite the error")
		}
	})

	t.Run("empty required fields land under their inputs (htmx)", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		f := detailsForm(c)
		f.Set("company.name", "")
		f.Set("company.address.city", " ")
		r := s.SignIn("officer").HTMX(http.MethodPost, path(c, "/details"), f).Want(http.StatusUnprocessableEntity)
		if r.Has("h1") {
			t.Error("htmx re-render is a whole page")
		}
		for _, id := range []string{"company-name", "company-address-city"} {
			if inv, _ := r.Doc.Find("#" + id).Attr("aria-invalid"); inv != "true" {
				t.Errorf("%s not marked invalid", id)
			}
		}
	})

	t.Run("saved: 303 to the page, stored, cleared optional fields become none", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		o := s.SignIn("officer")
		if _, req := o.Get(path(c, "/details/edit")).Doc.Find("#company-address-postalCode").Attr("required"); req {
			t.Error("postal code is marked required; the service accepts none")
		}
		f := detailsForm(c)
		f.Set("company.address.postalCode", "")
		r := o.PostForm(path(c, "/details"), f).Want(http.StatusSeeOther)
		if r.Location() != path(c, "") {
			t.Fatalf("went to %q", r.Location())
		}
		got := stored(t, s, c)
		if got.Company.Name != "Bond Holdings Group" || got.RiskScore != "MEDIUM" || got.Company.Address.AddressLine1 != "5 Broad St" {
			t.Fatalf("stored %+v", got.Company)
		}
		if got.Company.Description != nil || got.Company.Address.AddressLine2 != nil || got.Company.Address.PostalCode != "" {
			t.Errorf("cleared fields kept: %v %v %q", got.Company.Description, got.Company.Address.AddressLine2, got.Company.Address.PostalCode)
		}
		r = o.Get(path(c, "")).Want(http.StatusOK)
		if !strings.Contains(r.Body, "Company details saved") || r.Text("[data-testid=detail-name]") != "Bond Holdings Group" {
			t.Error("page after save")
		}
	})

	t.Run("saved from htmx: the page reloads", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		r := s.SignIn("officer").HTMX(http.MethodPost, path(c, "/details"), detailsForm(c))
		if r.Header.Get("HX-Location") != path(c, "") {
			t.Fatalf("HX-Location %q, status %d", r.Header.Get("HX-Location"), r.Status)
		}
		if stored(t, s, c).Company.Name != "Bond Holdings Group" {
			t.Fatal("not stored")
		}
	})

	t.Run("someone saved in between: 409, who and what, input kept, no overwrite", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		f := detailsForm(c) // the form as opened
		if _, err := s.Customers.Update(context.Background(), s.Actor("officer2"), c.Reference,
			customer.DetailsUpdate{Name: customer.Some("Bond Holdings Inc")}, customer.Versions{c.Version}); err != nil {
			t.Fatal(err)
		}
		r := s.SignIn("officer").PostForm(path(c, "/details"), f).Want(http.StatusConflict)
		notice := r.Text("[data-testid=details-stale]")
		if !strings.Contains(notice, "Changed by Omar Officer at ") || !strings.Contains(notice, " UTC since you opened this form.") ||
			r.Text("[data-testid=details-stale-fields]") != "Changed: Company name" {
			t.Fatalf("notice: %q", notice)
		}
		if v, _ := r.Doc.Find("#company-name").Attr("value"); v != "Bond Holdings Group" {
			t.Errorf("input not kept: %q", v)
		}
		if href, _ := r.Doc.Find("[data-testid=details-reload]").Attr("href"); href != path(c, "/details/edit") {
			t.Errorf("reload link %q", href)
		}
		if stored(t, s, c).Company.Name != "Bond Holdings Inc" {
			t.Fatal("overwritten")
		}
		// Reloading gives the current details and version.
		r = s.SignIn("officer").HTMX(http.MethodGet, path(c, "/details/edit"), nil).Want(http.StatusOK)
		if v, _ := r.Doc.Find("#company-name").Attr("value"); v != "Bond Holdings Inc" {
			t.Errorf("reload shows %q", v)
		}
	})

	t.Run("without the CSRF token nothing is saved", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		f := detailsForm(c)
		f.Set("_csrf", "")
		s.SignIn("officer").PostForm(path(c, "/details"), f).Want(http.StatusForbidden)
		if stored(t, s, c).Company.Name != "Bond Holdings" {
			t.Fatal("saved")
		}
	})
}

// changesOf reads an entry's change table: the field cell's text → "old → new".
func changesOf(entry *goquery.Selection) map[string]string {
	out := map[string]string{}
	entry.Find("[data-testid=history-change]").Each(func(_ int, ch *goquery.Selection) {
		cells := ch.Find("td")
		text := func(i int) string { return strings.Join(strings.Fields(cells.Eq(i).Text()), " ") }
		out[text(0)] = text(1) + " → " + text(2)
	})
	return out
}

func TestHistory(t *testing.T) {
	s := webtest.New(t)
	ctx := context.Background()
	c := s.NewCustomer("officer", "")
	c, err := s.Customers.Update(ctx, s.Actor("officer"), c.Reference,
		customer.DetailsUpdate{Name: customer.Some("Bond Group"), Description: customer.Optional[string]{Set: true, Null: true}}, customer.Versions{c.Version})
	if err != nil {
		t.Fatal(err)
	}
	// The CEO becomes the chair: an associates change keyed by reference.
	var in customer.AssociatesInput
	raw, _ := json.Marshal(c.Company)
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	chair := "Chair"
	(*in.Associates)[0].Title = &chair
	if c, err = s.Customers.ReplaceAssociates(ctx, s.Actor("officer2"), c.Reference, in, customer.Versions{c.Version}); err != nil {
		t.Fatal(err)
	}
	setStatus(t, s, "admin", c, customer.StatusRejected, "registry extract is outdated")

	t.Run("newest first, with who, old → new and the reason", func(t *testing.T) {
		r := s.SignIn("viewer").Get(path(c, "/history")).Want(http.StatusOK)
		entries := r.Doc.Find("[data-testid=history-list] [data-testid=history-entry]")
		if entries.Length() != 4 {
			t.Fatalf("%d entries", entries.Length())
		}
		var actions []string
		entries.Each(func(_ int, e *goquery.Selection) { actions = append(actions, e.AttrOr("data-action", "")) })
		if strings.Join(actions, " ") != "customer.status customer.associates customer.update customer.create" {
			t.Fatalf("order: %v", actions)
		}
		first := entries.Eq(0)
		if txt := strings.Join(strings.Fields(first.Text()), " "); !strings.Contains(txt, "Status changed by Ada Admin") ||
			!strings.Contains(first.Find("[data-testid=history-reason]").Text(), "registry extract is outdated") ||
			!strings.Contains(txt, "PENDING") || !strings.Contains(txt, "REJECTED") {
			t.Errorf("status entry: %q", txt)
		}
		upd := entries.Eq(2)
		found := map[string]string{}
		for field, change := range changesOf(upd) {
			switch {
			case field == "Company name":
				found["name"] = change
			case field == "Description":
				found["description"] = change
			}
		}
		if found["name"] != "Bond Holdings → Bond Group" || found["description"] != "Original description → —" || len(found) != 2 {
			t.Errorf("changes: %v", found)
		}
		if !strings.Contains(upd.Text(), "Olive Officer") {
			t.Errorf("update entry does not name the officer")
		}
	})

	t.Run("associate changes are shown by the associate's name", func(t *testing.T) {
		r := s.SignIn("viewer").Get(path(c, "/history")).Want(http.StatusOK)
		got := r.Doc.Find("[data-testid=history-entry][data-action='customer.associates'] [data-testid=history-person]")
		if got.Length() != 1 || got.Text() != "Sean Bond: title CEO → Chair" {
			t.Fatalf("associate changes: %d %q", got.Length(), got.Text())
		}
	})

	t.Run("a change through the API names the key", func(t *testing.T) {
		c := s.NewCustomer("officer", "")
		_, secret, err := s.Auth.CreateAPIKey(ctx, s.Actor("admin"), "crm-sync", access.RoleOfficer)
		if err != nil {
			t.Fatal(err)
		}
		key, err := s.Auth.AuthenticateAPIKey(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Customers.Update(ctx, key, c.Reference, customer.DetailsUpdate{RiskScore: customer.Some("HIGH")}, customer.Versions{c.Version}); err != nil {
			t.Fatal(err)
		}
		r := s.SignIn("viewer").Get(path(c, "/history")).Want(http.StatusOK)
		first := r.Doc.Find("[data-testid=history-entry]").First()
		if txt := strings.Join(strings.Fields(first.Text()), " "); !strings.Contains(txt, "Details changed by API key crm-sync") {
			t.Fatalf("entry: %q", txt)
		}
		for field, change := range changesOf(first) {
			if !strings.Contains(field, "riskScore") && !strings.Contains(field, "Risk") || change != "LOW → HIGH" {
				t.Errorf("change %q: %q", field, change)
			}
		}
	})

	t.Run("the page preview shows the latest entries", func(t *testing.T) {
		r := s.SignIn("viewer").Get(path(c, "")).Want(http.StatusOK)
		if !strings.HasPrefix(r.Text("[data-testid=history-preview] li"), "Status changed by Ada Admin") {
			t.Errorf("preview: %q", r.Text("[data-testid=history-preview] li"))
		}
	})

	t.Run("pages of older entries, and an empty page", func(t *testing.T) {
		busy := s.NewCustomer("officer", "")
		for i := range 55 {
			var err error
			busy, err = s.Customers.Update(ctx, s.Actor("officer"), busy.Reference,
				customer.DetailsUpdate{Name: customer.Some("Bond " + strconv.Itoa(i))}, customer.Versions{busy.Version})
			if err != nil {
				t.Fatal(err)
			}
		}
		v := s.SignIn("viewer")
		r := v.Get(path(busy, "/history")).Want(http.StatusOK)
		if n := r.Doc.Find("[data-testid=history-entry]").Length(); n != 50 {
			t.Fatalf("%d entries on the first page", n)
		}
		next, ok := r.Doc.Find("a[rel=next]").Attr("href")
		if !ok || !strings.Contains(next, "before=") {
			t.Fatalf("no link to older entries")
		}
		r = v.Get(next).Want(http.StatusOK)
		entries := r.Doc.Find("[data-testid=history-entry]")
		if entries.Length() != 6 || entries.Last().AttrOr("data-action", "") != "customer.create" || r.Has("a[rel=next]") {
			t.Fatalf("second page: %d entries", entries.Length())
		}
		last := entries.Last().AttrOr("data-entry-id", "")
		if last == "" {
			t.Fatal("entries carry no id")
		}
		r = v.Get(path(busy, "/history?before="+last)).Want(http.StatusOK)
		if r.Has("[data-testid=history-entry]") || !r.Has("[data-testid=history-empty]") {
			t.Fatalf("past the oldest entry:\n%s", r.Body)
		}
	})
}

package document_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
)

// Review: someone other than the uploader decides once; a rejection needs a
// reason; the decision and reason are in the history.
func TestReview(t *testing.T) {
	e := newEnv(t, false, 0)
	c := e.create()
	up := func(name string, seed byte) *document.Document {
		d := e.upload(officer, c, file(document.Meta{Type: "COMPANY_DOC", SubType: "INCORPORATION_CERT", Name: name}, pdfBytes(seed)))[0].Document
		return &d
	}
	d := up("cert.pdf", 1)
	accept := document.ReviewInput{Decision: document.StateAccepted}
	t.Run("ErrFourEyes/Uploader", func(t *testing.T) {
		_, err := e.docs.Review(e.ctx, officer, c.Reference, d.Reference, accept)
		wantKind(t, err, apperr.KindConflict, "four_eyes")
		if e.docs.CanReview(officer, d) {
			t.Fatal("CanReview offers the uploader a review")
		}
	})
	t.Run("ErrFourEyes/UploadersOwnKey", func(t *testing.T) {
		_, err := e.docs.Review(e.ctx, officerKey, c.Reference, d.Reference, accept)
		wantKind(t, err, apperr.KindConflict, "four_eyes")
	})
	t.Run("ErrForbidden/Viewer", func(t *testing.T) {
		_, err := e.docs.Review(e.ctx, viewer, c.Reference, d.Reference, accept)
		wantKind(t, err, apperr.KindForbidden, "")
	})
	t.Run("ErrInvalid/RejectWithoutReason", func(t *testing.T) {
		_, err := e.docs.Review(e.ctx, officer2, c.Reference, d.Reference, document.ReviewInput{Decision: document.StateRejected, Reason: "  "})
		if f := fields(t, err); len(f["reason"]) == 0 {
			t.Fatal(f)
		}
		_, err = e.docs.Review(e.ctx, officer2, c.Reference, d.Reference, document.ReviewInput{Decision: "MAYBE"})
		if f := fields(t, err); len(f["decision"]) == 0 {
			t.Fatal(f)
		}
	})
	t.Run("OK/AnotherOfficerAccepts", func(t *testing.T) {
		if !e.docs.CanReview(officer2, d) {
			t.Fatal("CanReview refuses another officer")
		}
		got, err := e.docs.Review(e.ctx, officer2, c.Reference, d.Reference, accept)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != document.StateAccepted || got.ReviewedBy != officer2.Name || got.ReviewedAt == nil {
			t.Fatalf("%+v", got)
		}
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'document.review' AND subject = $1 AND changes_json::jsonb @> '[{"path":"state","old":"PENDING_REVIEW","new":"ACCEPTED"}]'`, d.Reference.String()); n != 1 {
			t.Fatal("no history entry for the decision")
		}
		cur, _ := e.customers.Get(e.ctx, viewer, c.Reference)
		if cur.Version != c.Version {
			t.Fatal("a review must not change the customer's version")
		}
	})
	t.Run("ErrConflict/DecidedOnce", func(t *testing.T) {
		_, err := e.docs.Review(e.ctx, admin, c.Reference, d.Reference, document.ReviewInput{Decision: document.StateRejected, Reason: "changed my mind"})
		wantKind(t, err, apperr.KindConflict, "document_reviewed")
	})
	t.Run("OK/RejectWithReason", func(t *testing.T) {
		r2 := e.upload(officer, c, file(document.Meta{Type: "COMPANY_DOC", SubType: "REGISTER_EXTRACT", Name: "extract.pdf"}, pdfBytes(3)))[0].Document
		got, err := e.docs.Review(e.ctx, admin, c.Reference, r2.Reference, document.ReviewInput{Decision: document.StateRejected, Reason: "Illegible scan"})
		if err != nil || got.State != document.StateRejected || got.Reason != "Illegible scan" {
			t.Fatalf("%v %+v", err, got)
		}
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'document.review' AND reason = 'Illegible scan'`); n != 1 {
			t.Fatal("the reason is not in the history")
		}
	})
	t.Run("ErrConflict/Superseded", func(t *testing.T) {
		old := up("a.pdf", 10)
		up("b.pdf", 11)
		_, err := e.docs.Review(e.ctx, officer2, c.Reference, old.Reference, accept)
		wantKind(t, err, apperr.KindConflict, "document_superseded")
	})
	t.Run("ErrNotFound/OtherCustomer", func(t *testing.T) {
		other := e.create()
		_, err := e.docs.Get(e.ctx, viewer, other.Reference, d.Reference)
		wantKind(t, err, apperr.KindNotFound, "")
	})
}

// With the rule on, approval lists the missing evidence and succeeds once
// the company's certificate and the controlling director's licence are
// accepted; the signer without ownership or control needs nothing.
func TestApprovalRequiresDocuments(t *testing.T) {
	e := newEnv(t, true, 0)
	c := e.create()
	verify := customer.StatusChange{Status: "VERIFIED"}
	problems := func() []customer.Problem {
		t.Helper()
		_, err := e.customers.SetStatus(e.ctx, admin, c.Reference, verify, nil, false)
		var ae *customer.ApprovalError
		if !asApproval(err, &ae) {
			t.Fatalf("want an approval refusal, got %v", err)
		}
		return ae.Problems
	}
	summary := func(ps []customer.Problem) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Code+"@"+p.Path)
		}
		return strings.Join(out, " ")
	}
	want := "document_missing@documents.company document_missing@company.associates[0].documents"
	if got := summary(problems()); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	cur, _ := e.customers.Get(e.ctx, viewer, c.Reference)
	if got := summary(customer.RequiredActions(cur)); got != want {
		t.Fatalf("requiredActions: %s", got)
	}
	// a passport is not the director's driver's licence
	cert := e.upload(officer, c, file(companyDoc("cert.pdf"), pdfBytes(1)))[0].Document
	pass := e.upload(officer, c, file(personDoc(c, 0, "PASSPORT", "passport.png"), pngBytes(64, 1)))[0].Document
	if _, err := e.docs.Review(e.ctx, officer2, c.Reference, pass.Reference, document.ReviewInput{Decision: document.StateAccepted}); err != nil {
		t.Fatal(err)
	}
	if got := summary(problems()); got != "document_pending@documents.company document_missing@company.associates[0].documents" {
		t.Fatal(got)
	}
	lic := e.upload(officer, c, file(personDoc(c, 0, "DRIVERS_LICENSE", "licence.png"), pngBytes(64, 2)))[0].Document
	if _, err := e.docs.Review(e.ctx, officer2, c.Reference, lic.Reference, document.ReviewInput{Decision: document.StateRejected, Reason: "expired"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.docs.Review(e.ctx, officer2, c.Reference, cert.Reference, document.ReviewInput{Decision: document.StateAccepted}); err != nil {
		t.Fatal(err)
	}
	if got := summary(problems()); got != "document_rejected@company.associates[0].documents" {
		t.Fatal(got)
	}
	lic2 := e.upload(officer, c, file(personDoc(c, 0, "DRIVERS_LICENSE", "licence-new.png"), pngBytes(64, 3)))[0].Document
	if _, err := e.docs.Review(e.ctx, admin2, c.Reference, lic2.Reference, document.ReviewInput{Decision: document.StateAccepted}); err != nil {
		t.Fatal(err)
	}
	got, err := e.customers.SetStatus(e.ctx, admin, c.Reference, verify, nil, false)
	if err != nil || got.Status != customer.StatusVerified {
		t.Fatalf("approval with the evidence accepted: %v", err)
	}
}

// With the rule off, approval ignores documents, but Missing still tells
// the page what evidence is missing.
func TestEvidenceWarningWhenRuleOff(t *testing.T) {
	e := newEnv(t, false, 0)
	c := e.create()
	missing, err := e.docs.Missing(e.ctx, viewer, c)
	if err != nil || len(missing) != 2 {
		t.Fatalf("%v %+v", err, missing)
	}
	cur, _ := e.customers.Get(e.ctx, viewer, c.Reference)
	if len(customer.RequiredActions(cur)) != 0 {
		t.Fatalf("requiredActions list documents with the rule off: %+v", customer.RequiredActions(cur))
	}
	if _, err := e.customers.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false); err != nil {
		t.Fatalf("approval must not need documents with the rule off: %v", err)
	}
}

func asApproval(err error, target **customer.ApprovalError) bool {
	ae, ok := apperr.As(err)
	return ok && ae.As(target)
}

// A review takes the customer's row lock, like every customer write, so it
// cannot slip between an approval's evidence check and its commit.
func TestReviewWaitsForTheCustomerLock(t *testing.T) {
	e := newEnv(t, false, 0)
	c := e.create()
	d := e.upload(officer, c, file(companyDoc("cert.pdf"), pdfBytes(1)))[0].Document
	tx, _, err := e.customers.BeginWrite(e.ctx, c.Reference) // as an approval in progress holds it
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.docs.Review(e.ctx, officer2, c.Reference, d.Reference, document.ReviewInput{Decision: document.StateAccepted})
		done <- err
	}()
	for waiting := false; !waiting; {
		select {
		case err := <-done:
			t.Fatalf("the review ran while the customer was locked (%v)", err)
		default:
		}
		waiting = e.count(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) > 0
		runtime.Gosched()
	}
	_ = tx.Rollback()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestMissingInAgreesWithMissing: the customer page works the rule out from
// the documents it lists (MissingIn); it must say what Missing reads.
func TestMissingInAgreesWithMissing(t *testing.T) {
	e := newEnv(t, false, 0)
	c := e.create()
	check := func(step string) {
		t.Helper()
		want, err := e.docs.Missing(e.ctx, viewer, c)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := e.docs.ListOf(e.ctx, viewer, c)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.docs.MissingIn(c, docs); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: MissingIn %+v, Missing %+v", step, got, want)
		}
	}
	check("nothing uploaded")
	cert := e.upload(officer, c, file(companyDoc("cert.pdf"), pdfBytes(1)))[0].Document
	passport := e.upload(officer, c, file(personDoc(c, 0, "PASSPORT", "p.png"), pngBytes(64, 1)))[0].Document
	check("pending")
	if _, err := e.docs.Review(e.ctx, officer2, c.Reference, cert.Reference, document.ReviewInput{Decision: document.StateAccepted}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.docs.Review(e.ctx, officer2, c.Reference, passport.Reference, document.ReviewInput{Decision: document.StateRejected, Reason: "blurred"}); err != nil {
		t.Fatal(err)
	}
	check("accepted and rejected")
	e.upload(officer, c, file(personDoc(c, 0, "PASSPORT", "p2.png"), pngBytes(64, 2)))
	check("a rejected one superseded")
}

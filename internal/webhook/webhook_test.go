package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/webhook"
)

// verifyBoth checks a delivery with both schemes and secret; it answers
// which of them failed.
func verifyBoth(t *testing.T, r received, secret string) error {
	t.Helper()
	req := &http.Request{URL: &url.URL{Path: r.Path}, Header: r.Header}
	return errors.Join(VerifyStandard(secret, r.Header, r.Body, time.Now()), VerifyBVNK(secret, req, r.Body))
}

// Every delivery verifies with both schemes; after a rotation the Standard
// Webhooks header carries two v1 values, one for each secret, x-signature
// signs with the new secret and x-signature-previous with the old one.
func TestSignaturesVerify(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	ep, secret := e.endpoint(rc.URL + "/hooks/verity")
	c := e.create(admin)
	e.drain()
	got := rc.all()
	if len(got) != 1 || got[0].Env.Event != customer.EventCreated {
		t.Fatalf("deliveries: %+v", got)
	}
	if err := verifyBoth(t, got[0], secret); err != nil {
		t.Fatal(err)
	}
	if got[0].Header.Get("webhook-id") != got[0].Env.EventID.String() || got[0].Env.EventID.Version() != 7 {
		t.Fatalf("webhook-id %q, eventId %s", got[0].Header.Get("webhook-id"), got[0].Env.EventID)
	}
	if err := verifyBoth(t, got[0], "whsec_"+strings.Repeat("A", 44)); err == nil {
		t.Fatal("a wrong secret verifies")
	}

	fresh, err := e.wh.Rotate(e.ctx, admin, ep.Reference)
	if err != nil || fresh == secret {
		t.Fatal(fresh, err)
	}
	if _, err := e.update(c, `{"description": "After rotation"}`, nil); err != nil {
		t.Fatal(err)
	}
	e.drain()
	last := rc.all()[1]
	if n := len(strings.Fields(last.Header.Get("webhook-signature"))); n != 2 {
		t.Fatalf("%d signatures during the rotation, want 2", n)
	}
	if err := VerifyStandard(secret, last.Header, last.Body, time.Now()); err != nil {
		t.Fatalf("old secret: %v", err)
	}
	if err := verifyBoth(t, last, fresh); err != nil {
		t.Fatalf("new secret: %v", err)
	}
	prev := last.Header.Clone()
	prev.Set("x-signature", prev.Get("x-signature-previous"))
	if err := VerifyBVNK(secret, &http.Request{URL: &url.URL{Path: last.Path}, Header: prev}, last.Body); err != nil {
		t.Fatalf("x-signature-previous: %v", err)
	}
	// after the overlap only the new secret signs
	if _, err := e.db.ExecContext(e.ctx, `UPDATE webhook_endpoints SET previous_expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.update(c, `{"description": "After the overlap"}`, nil); err != nil {
		t.Fatal(err)
	}
	e.drain()
	end := rc.all()[2]
	if VerifyStandard(secret, end.Header, end.Body, time.Now()) == nil || end.Header.Get("x-signature-previous") != "" {
		t.Fatal("the old secret still signs after the overlap")
	}
	if err := verifyBoth(t, end, fresh); err != nil {
		t.Fatal(err)
	}
}

// The docs' verification example is this package's VerifyStandard and
// VerifyBVNK, character for character.
func TestDocsCarryTheVerifyExample(t *testing.T) {
	src, err := os.ReadFile("verify_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(src), "// --- docs example begin ---\n")
	example, _, _ := strings.Cut(rest, "// --- docs example end ---")
	docs, err := os.ReadFile("../../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(docs), strings.TrimSpace(example)) {
		t.Fatal("docs/webhooks.md does not carry verify_example_test.go's example verbatim")
	}
}

// One event of each kind, with the envelope's data as documented.
func TestEventForEachKind(t *testing.T) {
	e := newEnv(t)
	staff(t, e.db)
	rc := newReceiver(t)
	e.endpoint(rc.URL)
	c := e.create(admin)                                                      // created
	if _, err := e.update(c, `{"description": "Changed"}`, nil); err != nil { // data-updated
		t.Fatal(err)
	}
	keep := c.Company.Associates[0].Person.Reference.String()
	var in customer.AssociatesInput
	one := strings.Replace(associate, `"person": {`, `"person": {"reference": "`+keep+`", `, 1)
	if err := json.Unmarshal([]byte(`{"associates": [`+one+`]}`), &in); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ReplaceAssociates(e.ctx, admin, c.Reference, in, nil); err != nil { // data-updated, associate-deleted
		t.Fatal(err)
	}
	if _, err := e.svc.AddNote(e.ctx, admin, c.Reference, customer.NoteInput{Text: ptr("Called the CEO")}); err != nil { // note-added
		t.Fatal(err)
	}
	if _, err := e.svc.Assign(e.ctx, admin, c.Reference, customer.AssignMe, nil); err != nil { // assignee-changed
		t.Fatal(err)
	}
	if _, err := e.svc.SetStatus(e.ctx, admin2, c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false); err != nil { // status-change
		t.Fatal(err)
	}
	if _, err := e.update(c, `{"name": "Bond Holdings II"}`, nil); err != nil { // data-updated, review-required
		t.Fatal(err)
	}
	if _, err := e.svc.ConfirmReview(e.ctx, admin2, c.Reference, "Checked the registry", nil, false); err != nil { // review-confirmed
		t.Fatal(err)
	}
	docs := document.NewService(e.db, e.svc, document.Options{})
	sent := false
	up, err := docs.Upload(e.ctx, admin, c.Reference, func() (*document.Upload, error) { // document-uploaded
		if sent {
			return nil, io.EOF
		}
		sent = true
		return &document.Upload{Meta: document.Meta{Type: string(document.TypeCompanyDoc), SubType: string(document.SubIncorporationCert),
			Name: "certificate.png"}, Content: strings.NewReader("\x89PNG\r\n\x1a\nevidence")}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	doc := up[0].Document.Reference
	if _, err := docs.Review(e.ctx, admin2, c.Reference, doc, document.ReviewInput{Decision: document.StateAccepted}); err != nil { // document-reviewed
		t.Fatal(err)
	}
	e.drain()
	var names []string
	data := map[string]map[string]any{}
	for _, r := range rc.all() {
		names = append(names, strings.TrimPrefix(r.Env.Event, "platform:accounts:customer:"))
		var d map[string]any
		if err := json.Unmarshal(r.Env.Data, &d); err != nil {
			t.Fatal(err)
		}
		if d["reference"] != c.Reference.String() || d["status"] == nil || r.Env.Timestamp.IsZero() {
			t.Fatalf("%s data %v", r.Env.Event, d)
		}
		data[r.Env.Event] = d
	}
	want := "created data-updated data-updated associate-deleted note-added assignee-changed status-change data-updated review-required review-confirmed document-uploaded document-reviewed"
	if strings.Join(names, " ") != want {
		t.Fatalf("events\n got %s\nwant %s", strings.Join(names, " "), want)
	}
	if got, _ := data[customer.EventDocumentReviewed]["document"].(map[string]any); got["reference"] != doc.String() || got["state"] != "ACCEPTED" ||
		got["type"] != "COMPANY_DOC" || got["subType"] != "INCORPORATION_CERT" {
		t.Fatalf("document-reviewed %v", data[customer.EventDocumentReviewed])
	}
	if len(customer.EventTypes) != 10 {
		t.Fatalf("%d event types: extend this test", len(customer.EventTypes))
	}
	upd := data[customer.EventDataUpdated]
	if co, _ := upd["company"].(map[string]any); co["name"] != "Bond Holdings II" || upd["requiredActions"] == nil {
		t.Fatalf("data-updated is not the API's customer: %v", upd)
	}
	if d := data[customer.EventAssociateDeleted]; d["associateReference"] != c.Company.Associates[1].Person.Reference.String() {
		t.Fatalf("associate-deleted %v", d)
	}
	if d := data[customer.EventStatusChange]; d["previousStatus"] != "PENDING" || d["status"] != "VERIFIED" {
		t.Fatalf("status-change %v", d)
	}
	if note, _ := data[customer.EventNoteAdded]["note"].(map[string]any); note["text"] != "Called the CEO" {
		t.Fatalf("note-added %v", data[customer.EventNoteAdded])
	}
	if as, _ := data[customer.EventAssigneeChanged]["assignee"].(map[string]any); as["email"] != "ada@example.com" {
		t.Fatalf("assignee-changed %v", data[customer.EventAssigneeChanged])
	}
	if ch, _ := data[customer.EventReviewRequired]["changes"].([]any); len(ch) == 0 {
		t.Fatalf("review-required %v", data[customer.EventReviewRequired])
	}
	if data[customer.EventReviewConfirmed]["reason"] != "Checked the registry" {
		t.Fatalf("review-confirmed %v", data[customer.EventReviewConfirmed])
	}
}

// An endpoint gets only the events it subscribed to, and none from before
// it was registered; a disabled endpoint gets none.
func TestSubscriptions(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	c := e.create(admin) // before any endpoint: sent to nobody
	if n := e.count(`SELECT count(*) FROM webhook_events`); n != 0 {
		t.Fatalf("%d events stored with no subscriber", n)
	}
	ep, _ := e.endpoint(rc.URL, customer.EventStatusChange)
	if _, err := e.update(c, `{"description": "Not subscribed"}`, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetStatus(e.ctx, admin2, c.Reference, customer.StatusChange{Status: "REJECTED"}, nil, false); err != nil {
		t.Fatal(err)
	}
	e.drain()
	off := false
	if _, err := e.wh.Update(e.ctx, admin, ep.Reference, webhook.Input{URL: &ep.URL, Events: ep.Events, Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "PENDING"}, nil, false); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries`); n != 1 {
		t.Fatalf("%d deliveries, want 1", n)
	}
	if got := rc.all(); len(got) != 1 || got[0].Env.Event != customer.EventStatusChange {
		t.Fatalf("deliveries %+v", got)
	}
}

// failing is an Events hook that refuses every event.
type failing struct{}

func (failing) Emit(context.Context, *sqlx.Tx, customer.Event) error {
	return errors.New("outbox down")
}

// A rolled-back change sends nothing, and a change whose event cannot be
// written is rolled back.
func TestNeverInventNeverLose(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.endpoint(rc.URL)
	c := e.create(admin)
	before := e.count(`SELECT count(*) FROM webhook_events`)
	if _, err := e.update(c, `{"description": "Stale"}`, customer.Versions{c.Version + 5}); !errors.Is(err, apperr.ErrStale) {
		t.Fatalf("stale If-Match: %v", err)
	}
	if _, err := e.update(c, `{"taxResidenceCountryCode": "ZZZ"}`, nil); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("invalid update: %v", err)
	}
	if _, err := e.svc.SetStatus(e.ctx, admin2, c.Reference, customer.StatusChange{Status: "NOPE"}, nil, false); err == nil {
		t.Fatal("a bad status passed")
	}
	if after := e.count(`SELECT count(*) FROM webhook_events`); after != before {
		t.Fatalf("%d events after refused changes, want %d", after, before)
	}

	broken := customer.NewService(e.db, customer.Options{VerifyBaseURL: "https://verify.test/kyb", Events: failing{}})
	var up customer.DetailsUpdate
	_ = json.Unmarshal([]byte(`{"description": "Without its event"}`), &up)
	if _, err := broken.Update(e.ctx, admin, c.Reference, up, nil); err == nil {
		t.Fatal("a change went through without its event")
	}
	if got, _ := e.svc.Get(e.ctx, admin, c.Reference); *got.Company.Description != "Original description" || got.Version != c.Version {
		t.Fatalf("the change without its event was kept: %q v%d", *got.Company.Description, got.Version)
	}
	if _, err := broken.AddNote(e.ctx, admin, c.Reference, customer.NoteInput{Text: ptr("lost?")}); err == nil {
		t.Fatal("a note went through without its event")
	}
	if n := e.count(`SELECT count(*) FROM customer_notes`); n != 0 {
		t.Fatalf("%d notes kept without their event", n)
	}
}

// The receiver is down for a while: every event is delivered once it is
// back, each customer's in the order they happened.
func TestReceiverDownThenUp(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	rc.answer(http.StatusServiceUnavailable)
	e.endpoint(rc.URL)
	a, b := e.create(admin), e.create(admin)
	for i := range 5 {
		for _, c := range []*customer.Customer{a, b} {
			if _, err := e.update(c, `{"description": "step `+string(rune('1'+i))+`"}`, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 20 { // a few rounds of failed tries
		if _, err := e.wh.DeliverDue(e.ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries WHERE attempts > 1 AND last_status = 503 AND state = 'pending'`); n == 0 {
		t.Fatal("no retries while the receiver was down")
	}
	if len(rc.all()) != 0 {
		t.Fatal("delivered while down")
	}
	rc.answer(http.StatusNoContent)
	e.drain()
	got := rc.all()
	if len(got) != 12 {
		t.Fatalf("%d deliveries, want 12", len(got))
	}
	for _, c := range []*customer.Customer{a, b} {
		var seq []string
		for _, r := range got {
			var d struct {
				Reference string `json:"reference"`
				Company   struct {
					Description string `json:"description"`
				} `json:"company"`
			}
			_ = json.Unmarshal(r.Env.Data, &d)
			if d.Reference == c.Reference.String() && r.Env.Event == customer.EventDataUpdated {
				seq = append(seq, d.Company.Description)
			}
		}
		if strings.Join(seq, ",") != "step 1,step 2,step 3,step 4,step 5" {
			t.Fatalf("customer %s got %v", c.Reference, seq)
		}
	}
}

// Two workers (two services on one database, as two serve processes) share
// the outbox and deliver each event exactly once when every try succeeds.
func TestTwoWorkersDeliverOnce(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.endpoint(rc.URL)
	var cs []*customer.Customer
	for range 6 {
		cs = append(cs, e.create(admin))
	}
	ctx, cancel := context.WithCancel(e.ctx)
	var wg sync.WaitGroup
	for range 2 {
		w := webhook.NewService(e.db, fastOptions())
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx, nilLogger()) }()
	}
	for i := range 5 {
		for _, c := range cs {
			if _, err := e.update(c, `{"description": "round `+string(rune('a'+i))+`"}`, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.count(`SELECT count(*) FROM webhook_deliveries WHERE state <> 'delivered'`) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	seen := map[string]int{}
	for _, r := range rc.all() {
		seen[r.Env.EventID.String()]++
	}
	if len(seen) != 36 {
		t.Fatalf("%d events delivered, want 36", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("event %s delivered %d times", id, n)
		}
	}
}

// A write outside package customer (documents) records its audit entry and
// its event through customer.Service.Record, in its own transaction.
func TestRecordFromOutside(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.endpoint(rc.URL, customer.EventNoteAdded)
	c := e.create(admin)
	tx, err := e.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	ev := customer.Event{Name: customer.EventNoteAdded, CustomerID: c.ID, Data: map[string]any{"reference": c.Reference, "status": c.Status}}
	if err := e.svc.Record(e.ctx, tx, audit.Record{Actor: admin, Action: "document.upload", CustomerID: &c.ID}, ev); err != nil {
		t.Fatal(err)
	}
	_ = tx.Rollback()
	if n := e.count(`SELECT count(*) FROM webhook_events`); n != 0 {
		t.Fatalf("%d events after a rolled-back outside write", n)
	}
	tx, _ = e.db.Beginx()
	if err := e.svc.Record(e.ctx, tx, audit.Record{Actor: admin, Action: "document.upload", CustomerID: &c.ID}, ev); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	e.drain()
	if got := rc.all(); len(got) != 1 || got[0].Env.Event != customer.EventNoteAdded {
		t.Fatalf("deliveries %+v", got)
	}
}

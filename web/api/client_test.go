package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apiclient"
	"github.com/verity-kyb/verity/internal/customer"
)

// client is the generated client (internal/apiclient) on s, with key's
// credential; its traffic is checked against the document like any other.
func (s *server) client(key string) *apiclient.ClientWithResponses {
	s.t.Helper()
	c, err := apiclient.NewClientWithResponses(s.url+"/platform/v1", apiclient.WithHTTPClient(s.http),
		apiclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+s.keys[key])
			return nil
		}))
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// decodeInto reads a seed body into a generated type, refusing any field the
// type lacks: the generated types must carry everything the seed sends.
func decodeInto(t *testing.T, body string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("the generated type does not take the seed's body: %v", err)
	}
}

// wantSeed checks a generated customer, written back as JSON, against the
// seed page's documented response.
func wantSeed(t *testing.T, name string, got *apiclient.Customer, raw []byte) {
	t.Helper()
	if got == nil {
		t.Fatalf("no customer in the answer: %s", raw)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var want, have any
	_ = json.Unmarshal([]byte(readSeed(t, name+"_response")), &want)
	_ = json.Unmarshal(b, &have)
	if p := subset("", want, have); p != "" {
		t.Fatalf("the generated client's customer differs from the seed at %s:\n%s", p, b)
	}
}

// TestGeneratedClientDrivesTheSeed: the seed page's three calls, made with
// the client oapi-codegen generated from the document, answer the seed's
// responses.
func TestGeneratedClientDrivesTheSeed(t *testing.T) {
	s := newServer(t)
	res, err := s.svc.Import(context.Background(), access.System("seed"), strings.NewReader(compact(t, seedCustomerLine)), func(le customer.LineError) { t.Fatal(le) })
	if err != nil || res.Imported != 1 {
		t.Fatalf("import: %v %+v", err, res)
	}
	ctx := context.Background()
	ref := "8a0e1da2-2af3-4b9e-a221-e74db4e01b06"

	var details apiclient.DetailsUpdate
	decodeInto(t, readSeed(t, "details_request"), &details)
	up, err := s.client("officer").UpdateCustomerDetailsWithResponse(ctx, ref, nil, details)
	if err != nil || up.StatusCode() != 200 {
		t.Fatalf("details: %v %d %s", err, up.StatusCode(), up.Body)
	}
	wantSeed(t, "details", up.JSON200, up.Body)
	if up.HTTPResponse.Header.Get("ETag") == "" {
		t.Fatal("no ETag")
	}

	var status apiclient.StatusChange
	decodeInto(t, readSeed(t, "status_request"), &status)
	st, err := s.client("admin").SetCustomerStatusWithResponse(ctx, ref, nil, status)
	if err != nil || st.StatusCode() != 200 {
		t.Fatalf("status: %v %d %s", err, st.StatusCode(), st.Body)
	}
	wantSeed(t, "status", st.JSON200, st.Body)

	var associates apiclient.AssociatesReplace
	decodeInto(t, readSeed(t, "associates_request"), &associates)
	as, err := s.client("officer").ReplaceCustomerAssociatesWithResponse(ctx, ref, nil, associates)
	if err != nil || as.StatusCode() != 200 {
		t.Fatalf("associates: %v %d %s", err, as.StatusCode(), as.Body)
	}
	wantSeed(t, "associates", as.JSON200, as.Body)
}

// TestGeneratedClientRoundTrip: create (with an Idempotency-Key and its
// replay), find it in the list, a note, a refused approval, its history, the
// export, a bulk reject and the audit log, all through the generated
// client's typed answers.
func TestGeneratedClientRoundTrip(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	c := s.client("officer")
	var body apiclient.CustomerCreate
	decodeInto(t, createBody, &body)
	key := "round-trip-1"
	created, err := c.CreateCustomerWithResponse(ctx, &apiclient.CreateCustomerParams{IdempotencyKey: &key}, body)
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create: %v %d %s", err, created.StatusCode(), created.Body)
	}
	cu := created.JSON201
	if cu.Status != apiclient.StatusPENDING || cu.Company.Name != "Acme Trading Ltd" || len(cu.Company.Associates) != 1 {
		t.Fatalf("created %+v", cu)
	}
	ref := cu.Reference.String()
	if loc := created.HTTPResponse.Header.Get("Location"); loc != "/platform/v1/customers/"+ref {
		t.Fatalf("Location %q", loc)
	}
	replay, err := c.CreateCustomerWithResponse(ctx, &apiclient.CreateCustomerParams{IdempotencyKey: &key}, body)
	if err != nil || replay.JSON201 == nil || replay.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" || replay.JSON201.Reference != cu.Reference {
		t.Fatalf("replay: %v %d %s", err, replay.StatusCode(), replay.Body)
	}

	q, size := "acme trading", 10
	list, err := c.ListCustomersWithResponse(ctx, &apiclient.ListCustomersParams{Q: &q, Size: &size, Status: &[]string{"PENDING"}})
	if err != nil || list.JSON200 == nil {
		t.Fatalf("list: %v %d %s", err, list.StatusCode(), list.Body)
	}
	if len(list.JSON200.Content) != 1 || list.JSON200.Content[0].Reference != cu.Reference || list.JSON200.TotalElements != 1 {
		t.Fatalf("list %s", list.Body)
	}

	note, err := c.AddCustomerNoteWithResponse(ctx, ref, apiclient.NoteCreate{Text: "Registry extract checked."})
	if err != nil || note.JSON201 == nil || note.JSON201.Author.Type != apiclient.NoteAuthorTypeApikey {
		t.Fatalf("note: %v %d %s", err, note.StatusCode(), note.Body)
	}

	// An officer may not approve: the typed 403 carries the error shape.
	refused, err := c.SetCustomerStatusWithResponse(ctx, ref, nil, apiclient.StatusChange{Status: "VERIFIED"})
	if err != nil || refused.JSON403 == nil || refused.JSON403.Code != "forbidden" || refused.JSON403.TraceId == "" {
		t.Fatalf("refused: %v %d %s", err, refused.StatusCode(), refused.Body)
	}

	hist, err := c.GetCustomerHistoryWithResponse(ctx, ref, nil)
	if err != nil || hist.JSON200 == nil {
		t.Fatalf("history: %v %d %s", err, hist.StatusCode(), hist.Body)
	}
	if len(hist.JSON200.Content) == 0 || hist.JSON200.HasNext {
		t.Fatalf("history %s", hist.Body)
	}
	last := hist.JSON200.Content[len(hist.JSON200.Content)-1]
	if !strings.HasPrefix(last.Action, "customer.") || last.ActorType != apiclient.AuditEntryActorTypeApikey {
		t.Fatalf("first entry %+v", last)
	}

	// Across customers: the export lists it, a bulk reject by an admin
	// refuses nothing, and the whole trail shows the rejection.
	csv, err := c.ExportCustomersWithResponse(ctx, &apiclient.ExportCustomersParams{Q: &q})
	if err != nil || csv.StatusCode() != 200 || !strings.HasPrefix(string(csv.Body), "reference,") || !strings.Contains(string(csv.Body), ref) {
		t.Fatalf("export: %v %d %s", err, csv.StatusCode(), csv.Body)
	}
	reason := "Dissolved"
	bulk, err := s.client("admin").BulkCustomersWithResponse(ctx, apiclient.BulkRequest{Action: apiclient.Reject, Reason: &reason,
		Customers: &[]apiclient.BulkCustomer{{Reference: ref}}})
	if err != nil || bulk.JSON200 == nil || bulk.JSON200.Succeeded != 1 || !bulk.JSON200.Results[0].Ok {
		t.Fatalf("bulk: %v %d %s", err, bulk.StatusCode(), bulk.Body)
	}
	trail, err := s.client("admin").ListAuditLogWithResponse(ctx, &apiclient.ListAuditLogParams{Customer: &ref})
	if err != nil || trail.JSON200 == nil || len(trail.JSON200.Content) == 0 || trail.JSON200.Content[0].Action != "customer.status" {
		t.Fatalf("audit: %v %d %s", err, trail.StatusCode(), trail.Body)
	}

	// The generated client's customer is the server's JSON, field for field.
	got, err := c.GetCustomerWithResponse(ctx, ref, nil)
	if err != nil || got.JSON200 == nil {
		t.Fatalf("get: %v %d %s", err, got.StatusCode(), got.Body)
	}
	again, _ := json.Marshal(got.JSON200)
	if !bytes.Equal(canonical(t, again), canonical(t, got.Body)) {
		t.Fatalf("the generated type loses or changes fields:\nserver %s\nclient %s", got.Body, again)
	}
}

// canonical is JSON with its keys sorted.
func canonical(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	return out
}

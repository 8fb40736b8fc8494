package customer

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/audit"
)

// The events a customer write causes (docs/webhooks.md), named as BVNK
// names them where BVNK has one.
const (
	EventCreated          = "platform:accounts:customer:created"
	EventStatusChange     = "platform:accounts:customer:status-change"
	EventDataUpdated      = "platform:accounts:customer:data-updated"
	EventAssociateDeleted = "platform:accounts:customer:associate-deleted"
	EventNoteAdded        = "platform:accounts:customer:note-added"
	EventAssigneeChanged  = "platform:accounts:customer:assignee-changed"
	EventReviewRequired   = "platform:accounts:customer:review-required"
	EventReviewConfirmed  = "platform:accounts:customer:review-confirmed"
	EventDocumentUploaded = "platform:accounts:customer:document-uploaded"
	EventDocumentReviewed = "platform:accounts:customer:document-reviewed"
)

// EventType is one event a webhook endpoint may subscribe to.
type EventType struct {
	Name string
	Help string // what happened, for the admin page's checkboxes
}

// EventTypes is THE list of events: adding one is one line here.
var EventTypes = []EventType{
	{EventCreated, "a customer was created or imported"},
	{EventStatusChange, "a customer's status changed"},
	{EventDataUpdated, "a customer's details or associates changed"},
	{EventAssociateDeleted, "an associate was removed (one event each)"},
	{EventNoteAdded, "a note was added"},
	{EventAssigneeChanged, "a case was assigned, taken or released"},
	{EventReviewRequired, "a material change to a VERIFIED customer raised a re-review"},
	{EventReviewConfirmed, "a re-review was confirmed"},
	{EventDocumentUploaded, "a document was uploaded (or replaced one)"},
	{EventDocumentReviewed, "a document was accepted or rejected"},
}

// KnownEvent tells whether name is in EventTypes.
func KnownEvent(name string) bool {
	for _, t := range EventTypes {
		if t.Name == name {
			return true
		}
	}
	return false
}

// Event is what one audited customer write tells subscribers: its name, the
// customer, and the envelope's data ({reference, status, …}).
type Event struct {
	Name       string
	CustomerID int64
	Data       any
}

// Events receives the events of customer writes inside the write's
// transaction (the webhook outbox implements it): an error rolls the write
// back, so no change goes without its event and no rolled-back change has one.
type Events interface {
	Emit(ctx context.Context, tx *sqlx.Tx, ev Event) error
}

// StatementEvents is Events that can also store a write's events inside the
// write's own statement, one round trip fewer (the webhook outbox does);
// Events.Emit stays for the writes that store them on their own.
type StatementEvents interface {
	Events
	// EmitSQL answers WITH parts ("name AS (…), …") that store, about the
	// customer whose id is the expression customerID (NULL: nothing is
	// stored), one event whose id, name and payload are the parameters $n
	// (uuid), $n+1 (text) and $n+2 (JSON) or, when many, the events whose
	// ids, names and payloads are $n (uuid[]), $n+1 (text[]) and $n+2 (a
	// JSON array), in their order; the last part, named outbox, returns a
	// row per delivery stored.
	EmitSQL(customerID string, n int, many bool) string
	// Emitted tells that a write stored that many deliveries.
	Emitted(deliveries int)
}

// Payload is the event's data as its webhook carries it: JSON, the customer
// of data-updated by the API's own encoder (AppendJSON, equal to json.Marshal).
func (ev Event) Payload() ([]byte, error) { return ev.appendPayload(nil) }

func (ev Event) appendPayload(b []byte) ([]byte, error) {
	if j, ok := ev.Data.(JSON); ok {
		return j.AppendJSON(b), nil
	}
	data, err := json.Marshal(ev.Data)
	return append(b, data...), err
}

// JSON is the customer as the API and the webhooks send it: the contract's
// shape plus requiredActions, the unmet approval conditions and a pending re-review.
type JSON struct {
	*Customer
	RequiredActions []Problem `json:"requiredActions"`
	// company is Company already encoded, kept with the customer's version
	// (GetCachedJSON); nil: AppendJSON encodes it.
	company []byte
}

// AsJSON wraps c in its API shape.
func AsJSON(c *Customer) JSON { return JSON{Customer: c, RequiredActions: RequiredActions(c)} }

// record is THE place a customer write is recorded: its audit entry and the
// events it causes, in the write's transaction, so a future write cannot
// forget either. It answers the audit entry's id.
func (s *Service) record(ctx context.Context, tx *sqlx.Tx, r audit.Record, events ...Event) (int64, error) {
	id, err := audit.WriteID(ctx, s.prepared(tx), r)
	if err != nil {
		return 0, err
	}
	if err := s.emit(ctx, tx, events...); err != nil {
		return 0, err
	}
	return id, nil
}

// emit hands a write's events to the outbox in its transaction, after its
// audit entry (record, or mutateTx's one statement, wrote it).
func (s *Service) emit(ctx context.Context, tx *sqlx.Tx, events ...Event) error {
	if s.opts.Events == nil {
		return nil
	}
	for _, ev := range events {
		if err := s.opts.Events.Emit(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// Record is record for writes about a customer made outside this package
// (documents): their audit entry and their events in their transaction.
func (s *Service) Record(ctx context.Context, tx *sqlx.Tx, r audit.Record, events ...Event) error {
	_, err := s.record(ctx, tx, r, events...)
	return err
}

// brief is the data every event carries: the customer's reference and status.
type brief struct {
	Reference uuid.UUID `json:"reference"`
	Status    Status    `json:"status"`
}

func briefOf(c *Customer) brief { return brief{Reference: c.Reference, Status: c.Status} }

// EventAbout is an event of a write about c made outside this package (a
// document's): its data is the customer's reference and status with more
// under key (e.g. "document").
func EventAbout(name string, c *Customer, key string, more any) Event {
	return Event{Name: name, CustomerID: c.ID, Data: map[string]any{"reference": c.Reference, "status": c.Status, key: more}}
}

// mutationEvents are the events of a details, associates or status change
// from cur to next (stored, with its new version).
func mutationEvents(cur, next *Customer, ch *change) []Event {
	var out []Event
	add := func(name string, data any) { out = append(out, Event{Name: name, CustomerID: next.ID, Data: data}) }
	if cur.Status != next.Status {
		add(EventStatusChange, struct {
			brief
			PreviousStatus Status `json:"previousStatus"`
			Reason         string `json:"reason,omitempty"`
		}{briefOf(next), cur.Status, ch.reason})
	}
	if ch.edit {
		add(EventDataUpdated, AsJSON(next))
	}
	if ch.associates {
		kept := map[uuid.UUID]bool{}
		for _, as := range next.Company.Associates {
			kept[as.Person.Reference] = true
		}
		for _, as := range cur.Company.Associates {
			if !kept[as.Person.Reference] {
				add(EventAssociateDeleted, struct {
					brief
					AssociateReference uuid.UUID `json:"associateReference"`
				}{briefOf(next), as.Person.Reference})
			}
		}
	}
	if next.ReviewRequired && !cur.ReviewRequired {
		add(EventReviewRequired, struct {
			brief
			Changes []audit.Change `json:"changes"`
		}{briefOf(next), next.ReviewChanges})
	}
	return out
}

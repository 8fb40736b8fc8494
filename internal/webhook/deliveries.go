package webhook

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
)

// Delivery is one event sent (or to be sent) to one endpoint.
type Delivery struct {
	ID                int64      `json:"id" db:"id"`
	Endpoint          uuid.UUID  `json:"endpoint" db:"endpoint"`
	Event             string     `json:"event" db:"name"`
	EventID           uuid.UUID  `json:"eventId" db:"event_id"`
	CustomerReference uuid.UUID  `json:"customerReference" db:"customer_reference"`
	CustomerName      string     `json:"-" db:"customer_name"`
	State             string     `json:"state" db:"state"`
	Attempts          int        `json:"attempts" db:"attempts"`
	LastStatus        *int       `json:"lastStatus" db:"last_status"`
	LastLatencyMS     *int       `json:"lastLatencyMs" db:"last_latency_ms"`
	LastError         *string    `json:"lastError" db:"last_error"`
	NextAttemptAt     *time.Time `json:"nextAttemptAt" db:"next_attempt_at"`
	DeliveredAt       *time.Time `json:"deliveredAt" db:"delivered_at"`
	CreatedAt         time.Time  `json:"createdAt" db:"created_at"`
	RedeliveryOf      *int64     `json:"redeliveryOf" db:"redelivery_of"`
}

// DeliveryFilter narrows a list of deliveries: an endpoint's, a customer's,
// or both; Before pages back (ids below it).
type DeliveryFilter struct {
	Endpoint *uuid.UUID
	Customer *uuid.UUID
	Before   int64
	Limit    int
}

const listDeliveriesSQL = `
SELECT d.id, e.reference AS endpoint, ev.name, ev.event_id, c.reference AS customer_reference, c.name AS customer_name,
  d.state, d.attempts, d.last_status, d.last_latency_ms, d.last_error,
  CASE WHEN d.state = 'pending' THEN d.next_attempt_at END AS next_attempt_at, d.delivered_at, d.created_at, d.redelivery_of
FROM webhook_deliveries d
JOIN webhook_endpoints e ON e.id = d.endpoint_id
JOIN webhook_events ev ON ev.id = d.event_id
JOIN customers c ON c.id = d.customer_id
WHERE ($1::uuid IS NULL OR e.reference = $1) AND ($2::uuid IS NULL OR c.reference = $2)
  AND ($3::bigint = 0 OR d.id < $3) AND e.deleted_at IS NULL
ORDER BY d.id DESC LIMIT $4`

// Deliveries lists deliveries newest first (at most 200 at once).
func (s *Service) Deliveries(ctx context.Context, a access.Actor, f DeliveryFilter) ([]Delivery, error) {
	if err := s.Allowed(a); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.Endpoint != nil {
		if _, err := getEndpoint(ctx, s.db, *f.Endpoint); err != nil {
			return nil, err
		}
	}
	out := []Delivery{}
	err := sqlx.SelectContext(ctx, s.db, &out, listDeliveriesSQL, f.Endpoint, f.Customer, f.Before, f.Limit)
	return out, err
}

const (
	findDeliverySQL = `SELECT d.id, d.event_id, d.endpoint_id, d.customer_id FROM webhook_deliveries d
JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1 AND e.reference = $2 AND e.deleted_at IS NULL`
	redeliverSQL = `INSERT INTO webhook_deliveries (event_id, endpoint_id, customer_id, redelivery_of)
VALUES ($1, $2, $3, $4) RETURNING id`
)

// Redeliver sends a delivery's event to its endpoint again, as a new
// delivery queued behind the customer's pending ones; the original keeps its
// record. It answers the new delivery's id.
func (s *Service) Redeliver(ctx context.Context, a access.Actor, endpoint uuid.UUID, id int64) (int64, error) {
	if err := s.Allowed(a); err != nil {
		return 0, err
	}
	var newID int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var d struct {
			ID         int64 `db:"id"`
			EventID    int64 `db:"event_id"`
			EndpointID int64 `db:"endpoint_id"`
			CustomerID int64 `db:"customer_id"`
		}
		if err := sqlx.GetContext(ctx, tx, &d, findDeliverySQL, id, endpoint); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.NotFound("delivery " + strconv.FormatInt(id, 10))
			}
			return err
		}
		if err := sqlx.GetContext(ctx, tx, &newID, redeliverSQL, d.EventID, d.EndpointID, d.CustomerID, d.ID); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Record{Actor: a, Action: ActionRedeliver,
			Subject: "webhook " + endpoint.String() + " delivery " + strconv.FormatInt(id, 10)})
	})
	return newID, err
}

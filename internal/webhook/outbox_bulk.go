package webhook

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/customer"
)

// subscribedSQL tells whether an enabled endpoint subscribes to an event.
var subscribedSQL = `SELECT EXISTS (` + subscribersSQL("$1::text") + `)`

// emitAllSQL is emitSQL for many events of one name: the events in their
// order, then one delivery per event and subscribed endpoint.
var emitAllSQL = `
WITH ep AS (` + subscribersSQL("$1::text") + `
), ev AS (
  INSERT INTO webhook_events (event_id, name, customer_id, payload)
  SELECT u.event_id, $1, u.customer_id, u.payload
  FROM unnest($2::uuid[], $3::bigint[], $4::text[]) WITH ORDINALITY AS u(event_id, customer_id, payload, n)
  WHERE EXISTS (SELECT 1 FROM ep) ORDER BY u.n RETURNING id, customer_id
)
INSERT INTO webhook_deliveries (event_id, endpoint_id, customer_id)
SELECT ev.id, ep.id, ev.customer_id FROM ev, ep ORDER BY ev.id, ep.id`

// EmitAll writes many events to the outbox in the write's transaction, as
// Emit would one by one, in two statements per event name: whether anyone
// subscribes (when nobody does, nothing is encoded or stored), then the
// events and their deliveries. It implements customer.BatchEvents.
func (s *Service) EmitAll(ctx context.Context, tx *sqlx.Tx, evs []customer.Event) error {
	var names []string
	byName := map[string][]customer.Event{}
	for _, ev := range evs {
		if _, ok := byName[ev.Name]; !ok {
			names = append(names, ev.Name)
		}
		byName[ev.Name] = append(byName[ev.Name], ev)
	}
	for _, name := range names {
		var subscribed bool
		if err := tx.GetContext(ctx, &subscribed, subscribedSQL, name); err != nil {
			return fmt.Errorf("webhook event %s: %w", name, err)
		}
		if !subscribed {
			continue
		}
		list := byName[name]
		ids, customers, payloads := make([]string, len(list)), make([]int64, len(list)), make([]string, len(list))
		for i, ev := range list {
			data, err := ev.Payload()
			if err != nil {
				return fmt.Errorf("webhook event %s: %w", name, err)
			}
			id, err := uuid.NewV7()
			if err != nil {
				return err
			}
			ids[i], customers[i], payloads[i] = id.String(), ev.CustomerID, string(data)
		}
		if _, err := tx.ExecContext(ctx, emitAllSQL, name, pq.Array(ids), pq.Array(customers), pq.Array(payloads)); err != nil {
			return fmt.Errorf("webhook event %s: %w", name, err)
		}
	}
	return nil
}

var _ customer.BatchEvents = (*Service)(nil)

-- The webhook outbox's write path, leaner (docs/webhooks.md "What a
-- subscribed write costs"). Every customer write with a subscriber inserts an
-- event and its deliveries; their foreign keys made each such write lock the
-- rows they point to (FOR KEY SHARE): the one endpoint row, shared by all
-- concurrent writers, then needed a new MultiXact per write. The guarantees
-- stay, by other means:
-- - endpoints and events are never deleted (an endpoint is retired with
--   deleted_at; an event is the record of what was sent): triggers refuse
--   DELETE and TRUNCATE, so a delivery's endpoint and event always exist;
-- - a customer with events cannot be deleted either: its creation wrote an
--   audit entry that references it (audit_entries.customer_id, a foreign key),
--   and audit entries are never deleted.
-- webhook_events_customer_idx is dropped: no query reads events by customer
-- (a customer's deliveries are found through webhook_deliveries).
-- The deliveries table is vacuumed sooner than the default 20 %: dead entries
-- of the partial "pending" indexes slow the worker's claim until then.
-- Rolling-deploy safe: an older binary never deletes these rows and reads
-- nothing the migration removes; it only lost checks it never relied on.

-- +goose Up
DROP INDEX IF EXISTS webhook_events_customer_idx;
ALTER TABLE webhook_deliveries DROP CONSTRAINT IF EXISTS webhook_deliveries_endpoint_id_fkey;
ALTER TABLE webhook_deliveries DROP CONSTRAINT IF EXISTS webhook_deliveries_event_id_fkey;
ALTER TABLE webhook_events DROP CONSTRAINT IF EXISTS webhook_events_customer_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION webhook_outbox_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME;
END $$;
-- +goose StatementEnd
CREATE TRIGGER webhook_endpoints_no_delete BEFORE DELETE ON webhook_endpoints
    FOR EACH ROW EXECUTE FUNCTION webhook_outbox_no_delete();
CREATE TRIGGER webhook_endpoints_no_truncate BEFORE TRUNCATE ON webhook_endpoints
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_outbox_no_delete();
CREATE TRIGGER webhook_events_no_delete BEFORE DELETE ON webhook_events
    FOR EACH ROW EXECUTE FUNCTION webhook_outbox_no_delete();
CREATE TRIGGER webhook_events_no_truncate BEFORE TRUNCATE ON webhook_events
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_outbox_no_delete();

ALTER TABLE webhook_deliveries SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000);

-- +goose Down
ALTER TABLE webhook_deliveries RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold);
DROP TRIGGER webhook_events_no_truncate ON webhook_events;
DROP TRIGGER webhook_events_no_delete ON webhook_events;
DROP TRIGGER webhook_endpoints_no_truncate ON webhook_endpoints;
DROP TRIGGER webhook_endpoints_no_delete ON webhook_endpoints;
DROP FUNCTION webhook_outbox_no_delete();
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_event_id_fkey
    FOREIGN KEY (event_id) REFERENCES webhook_events (id);
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_endpoint_id_fkey
    FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints (id);
CREATE INDEX webhook_events_customer_idx ON webhook_events (customer_id, id DESC);

-- +goose Up
-- Webhook events' payloads are stored as json (the text as written) instead of
-- jsonb. Nothing queries inside a payload: it is written once, in the customer
-- write's transaction, and sent as it is. jsonb parsed each payload (the whole
-- customer for data-updated) on the write path and printed it back at every
-- delivery, in its own key order; json keeps the bytes the service encoded, in
-- the API's order, and costs PostgreSQL a syntax check only.
-- Expand-safe: a binary of the previous release writes the payload as text
-- (cast to json on insert, as it was to jsonb) and reads it as text. The
-- rewrite locks webhook_events for as long as it takes to copy the outbox.
-- A new type resets the column's compression: lz4 (00012) is set again.
ALTER TABLE webhook_events ALTER COLUMN payload TYPE json USING payload::json;
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE webhook_events ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 not available: webhook payloads stay pglz';
END $$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE webhook_events ALTER COLUMN payload TYPE jsonb USING payload::jsonb;

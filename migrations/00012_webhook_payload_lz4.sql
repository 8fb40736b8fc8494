-- +goose Up
-- Webhook events' payloads (the customer in the API's shape for data-updated,
-- 2–3 KB) are compressed when stored; lz4 does that several times faster than
-- PostgreSQL's default pglz, in every customer write with a subscriber. Only
-- new rows are stored so; old rows stay readable as they are, by either
-- binary. A change of storage only: a binary of the previous release writes
-- and reads the same column the same way, so it may run beside this one.
-- Skipped on a PostgreSQL built without lz4 (payloads stay pglz).
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE webhook_events ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 not available: webhook payloads stay pglz';
END $$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE webhook_events ALTER COLUMN payload SET COMPRESSION default;

-- +goose Up
-- Webhook events' payloads are stored as text instead of json. The service
-- encodes every payload itself (encoding/json: valid by construction) and
-- sends it as stored; nothing queries inside it. json made PostgreSQL check
-- the syntax of every payload (the whole customer for data-updated, 2–3 KB)
-- in every customer write with a subscriber; text stores the same bytes
-- without that pass, and reads them back the same way.
-- Rolling-deploy safe: a binary of the previous release writes the payload
-- as text ($n) or as `…::json`, which PostgreSQL converts to text on insert
-- (an assignment cast), and reads it as text — the same bytes either way.
-- The type change rewrites webhook_events (as 00013 did), locking it for as
-- long as the copy takes; a new type resets the column's compression, so
-- lz4 (00012) is set again.
ALTER TABLE webhook_events ALTER COLUMN payload TYPE text USING payload::text;
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE webhook_events ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 not available: webhook payloads stay pglz';
END $$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE webhook_events ALTER COLUMN payload TYPE json USING payload::json;
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE webhook_events ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 not available: webhook payloads stay pglz';
END $$;
-- +goose StatementEnd

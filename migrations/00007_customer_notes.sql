-- Notes officers keep on a customer: immutable like the audit trail. A note
-- given as the reason of a status change is linked to that change's audit
-- entry (and records the move), so the timeline shows the reason once.
-- Also the indexes the admin audit-log page filters by.

-- +goose Up
CREATE TABLE customer_notes (
    id              bigserial PRIMARY KEY,
    customer_id     bigint          NOT NULL REFERENCES customers (id),
    author_type     text            NOT NULL CHECK (author_type IN ('user', 'apikey', 'system', 'anonymous')),
    author_id       bigint,
    author_name     text            NOT NULL,
    body            text            NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
    status_entry_id bigint          REFERENCES audit_entries (id),
    status_from     customer_status,
    status_to       customer_status,
    created_at      timestamptz     NOT NULL DEFAULT now(),
    CHECK ((status_entry_id IS NULL) = (status_to IS NULL))
);
CREATE INDEX customer_notes_customer_idx ON customer_notes (customer_id, id DESC);

-- +goose StatementBegin
CREATE FUNCTION customer_notes_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'notes cannot be changed or deleted';
END $$;
-- +goose StatementEnd
CREATE TRIGGER customer_notes_no_update BEFORE UPDATE OR DELETE ON customer_notes
    FOR EACH ROW EXECUTE FUNCTION customer_notes_immutable();
CREATE TRIGGER customer_notes_no_truncate BEFORE TRUNCATE ON customer_notes
    FOR EACH STATEMENT EXECUTE FUNCTION customer_notes_immutable();

-- The audit log filters by kind (the action's prefix) and by actor text,
-- newest first by id; these keep a rare kind or actor from scanning the trail.
CREATE INDEX audit_entries_kind_idx ON audit_entries ((split_part(action, '.', 1)), id DESC);
CREATE INDEX audit_entries_actor_trgm_idx ON audit_entries USING gin (lower(actor_name) gin_trgm_ops);
CREATE INDEX audit_entries_staff_idx ON audit_entries (actor_id, id DESC) WHERE actor_type = 'user';

-- +goose Down
DROP INDEX audit_entries_staff_idx;
DROP INDEX audit_entries_actor_trgm_idx;
DROP INDEX audit_entries_kind_idx;
DROP TABLE customer_notes;
DROP FUNCTION customer_notes_immutable;

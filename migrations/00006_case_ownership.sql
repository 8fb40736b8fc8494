-- +goose Up
-- Case work: who owns a customer's case, and since when the customer is in its
-- current status (its time in queue). Only additions: a binary of the previous
-- release neither reads nor writes them, and the trigger keeps status_since
-- right for its writes too.
ALTER TABLE customers
    ADD COLUMN assignee_id  bigint REFERENCES staff_users (id),
    ADD COLUMN status_since timestamptz;

-- Backfill: the latest status change in the audit trail, else the creation time.
UPDATE customers c SET status_since = COALESCE(
    (SELECT max(a.occurred_at) FROM audit_entries a
      WHERE a.customer_id = c.id AND a.action = 'customer.status'),
    c.created_at);
ALTER TABLE customers ALTER COLUMN status_since SET DEFAULT now();
ALTER TABLE customers ALTER COLUMN status_since SET NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION customers_status_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        NEW.status_since := now();
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER customers_status_since BEFORE UPDATE ON customers FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION customers_status_since();

-- "Mine" (and the assignee filter), newest change first, and its count.
CREATE INDEX customers_assignee_updated_idx ON customers (assignee_id, updated_at DESC, id DESC)
    WHERE assignee_id IS NOT NULL;
-- Time in queue: oldest-first queues and the overdue count (status_since below a cut-off);
-- the risk and the assignee ride along so those filters read the index alone.
CREATE INDEX customers_status_since_idx ON customers (status, status_since, id) INCLUDE (risk_score, assignee_id);
-- Next case: the oldest unassigned PENDING customer.
CREATE INDEX customers_next_case_idx ON customers (status_since, id)
    WHERE status = 'PENDING' AND assignee_id IS NULL;

-- +goose Down
DROP INDEX customers_next_case_idx;
DROP INDEX customers_status_since_idx;
DROP INDEX customers_assignee_updated_idx;
DROP TRIGGER customers_status_since ON customers;
DROP FUNCTION customers_status_since;
ALTER TABLE customers DROP COLUMN status_since, DROP COLUMN assignee_id;

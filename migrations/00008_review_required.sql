-- +goose Up
-- Re-review of verified customers: a material change to a VERIFIED customer
-- keeps it VERIFIED but raises review_required, with the changes since
-- approval (review_changes: [{path, old, new}], first old and latest new per
-- path) and who made the latest of them (review_editor, a principal such as
-- 'user:7', for the four-eyes rule). Only additions: a binary of the previous
-- release neither reads nor writes them, and the trigger clears the flag on
-- every status move, its writes included.
ALTER TABLE customers
    ADD COLUMN review_required boolean NOT NULL DEFAULT false,
    ADD COLUMN review_changes  jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN review_editor   text;

-- +goose StatementBegin
CREATE FUNCTION customers_review_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.review_required := false;
    NEW.review_changes := '[]';
    NEW.review_editor := NULL;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER customers_review_clear BEFORE UPDATE ON customers FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION customers_review_clear();

-- The "Changed since approval" queue, newest change first, and its count.
CREATE INDEX customers_review_required_idx ON customers (updated_at DESC, id DESC) WHERE review_required;

-- +goose Down
DROP INDEX customers_review_required_idx;
DROP TRIGGER customers_review_clear ON customers;
DROP FUNCTION customers_review_clear;
ALTER TABLE customers DROP COLUMN review_editor, DROP COLUMN review_changes, DROP COLUMN review_required;

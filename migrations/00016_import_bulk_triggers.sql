-- The customers' insert triggers (the search grams, 00011, and the list
-- counters, 00001) step aside for `verity import`'s batches (docs/import.md
-- "How lines are written"). Those were statement triggers over a transition
-- table: every inserted row was copied into it, then the grams function ran
-- in plpgsql per row. An import knows each row already, so its batch writes
-- the grams (computed by verity, the same array the function makes) and the
-- counters' deltas (one row per status and risk) itself, in the batch's own
-- transaction, after setting `SET LOCAL verity.bulk = 'on'`.
--
-- The triggers become row triggers whose WHEN is false only in such a
-- transaction: no transition table is kept, and every other writer — a
-- create through the service, an older binary's import, psql — keeps them,
-- one row at a time, as before (a single-row INSERT costs the same).
-- Rolling-deploy safe: an older binary never sets verity.bulk, so its writes
-- still maintain the grams and the counters; the tables are unchanged.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION customer_counts_insert_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_counts (status, risk_score, n) VALUES (NEW.status, NEW.risk_score, 1);
    RETURN NULL;
END $$;
-- +goose StatementEnd

DROP TRIGGER customers_count_insert ON customers;
CREATE TRIGGER customers_count_insert AFTER INSERT ON customers FOR EACH ROW
    WHEN (current_setting('verity.bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION customer_counts_insert_row();

-- customer_search_grams_update (00011) inserts or replaces NEW's grams.
DROP TRIGGER customers_search_grams_insert ON customers;
CREATE TRIGGER customers_search_grams_insert AFTER INSERT ON customers FOR EACH ROW
    WHEN (current_setting('verity.bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION customer_search_grams_update();

-- +goose Down
DROP TRIGGER customers_search_grams_insert ON customers;
CREATE TRIGGER customers_search_grams_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_search_grams_insert();
DROP TRIGGER customers_count_insert ON customers;
CREATE TRIGGER customers_count_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_counts_insert();
DROP FUNCTION customer_counts_insert_row();

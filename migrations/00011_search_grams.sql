-- Searching one or two letters (docs/performance.md, "Short terms"). The
-- trigram index cannot serve LIKE '%qz%': a term shorter than three letters
-- gives it no trigram, so a term that matches nothing made PostgreSQL read
-- the whole table. customer_search_grams keeps, per customer, every single
-- character and every pair of adjacent characters of search_text; a GIN
-- index on that array finds the customers containing a given one or two
-- letters directly. Same results: a text contains a term of one or two
-- characters exactly when its grams contain the term.
--
-- A table of its own, kept by triggers, rather than an index on customers:
-- only a write that changes search_text (a name, a registration number, an
-- associate's name) pays for it. Every other update of a customer leaves it
-- untouched. An older binary keeps working beside this one: it never reads
-- the table and its writes are kept by the same triggers.
--
-- No transaction: the backfill and the index build run on a live table
-- without holding a lock that would stop other writers (a million customers
-- take a few minutes). Every statement can run again after a failure.

-- +goose NO TRANSACTION
-- +goose Up

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION customer_search_grams(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    c   text[] := regexp_split_to_array(t, '');
    out text[] := c;
BEGIN
    -- Duplicates stay: GIN stores each key once per row, and removing them
    -- here costs four times the loop.
    FOR i IN 1 .. cardinality(c) - 1 LOOP
        out := out || (c[i] || c[i + 1]);
    END LOOP;
    RETURN out;
END $$;
-- +goose StatementEnd

CREATE TABLE IF NOT EXISTS customer_search_grams (
    customer_id bigint PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    grams       text[] NOT NULL
) WITH (parallel_workers = 0);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION customer_search_grams_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_search_grams (customer_id, grams)
    SELECT id, customer_search_grams(search_text) FROM new_rows
    ON CONFLICT (customer_id) DO UPDATE SET grams = EXCLUDED.grams;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION customer_search_grams_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_search_grams (customer_id, grams)
    VALUES (NEW.id, customer_search_grams(NEW.search_text))
    ON CONFLICT (customer_id) DO UPDATE SET grams = EXCLUDED.grams;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE OR REPLACE TRIGGER customers_search_grams_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_search_grams_insert();
CREATE OR REPLACE TRIGGER customers_search_grams_update AFTER UPDATE OF search_text ON customers
    FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text)
    EXECUTE FUNCTION customer_search_grams_update();

-- The customers written before the triggers existed. A row the triggers
-- wrote meanwhile is newer and stays.
INSERT INTO customer_search_grams (customer_id, grams)
SELECT id, customer_search_grams(search_text) FROM customers
ON CONFLICT (customer_id) DO NOTHING;

-- The pending list as short as the trigram index's (00002): every search
-- through the index reads it in full.
CREATE INDEX CONCURRENTLY IF NOT EXISTS customer_search_grams_idx ON customer_search_grams
    USING gin (grams) WITH (gin_pending_list_limit = 256);

-- The planner tells a rare pair (the index) from a common one (the
-- newest-first walk) by these statistics.
ANALYZE customer_search_grams;

-- +goose Down
DROP TRIGGER IF EXISTS customers_search_grams_update ON customers;
DROP TRIGGER IF EXISTS customers_search_grams_insert ON customers;
DROP TABLE IF EXISTS customer_search_grams;
DROP FUNCTION IF EXISTS customer_search_grams_update();
DROP FUNCTION IF EXISTS customer_search_grams_insert();
DROP FUNCTION IF EXISTS customer_search_grams(text);

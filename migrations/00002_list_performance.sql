-- +goose Up
-- Indexes for the customers list and search on 100,000+ customers; see
-- docs/performance.md for the measurements behind each.

-- A queue tab with a risk filter (status = 'PENDING' AND risk_score = 'LOW')
-- pages by updated_at: the page's ids come from an index-only scan that skips
-- the OFFSET rows without reading the table. customers_status_updated_idx
-- alone had to read, and throw away, every row of the other risks and every
-- row before the page.
CREATE INDEX customers_status_risk_updated_idx ON customers (status, risk_score, updated_at DESC, id DESC);

-- The unfiltered list and the search ("All", most recently changed first).
-- A search for a common term walks this index newest first and tests
-- search_text on the index entry itself, instead of reading each table row:
-- several times faster per row skipped. It replaces the plain index on the
-- same key.
CREATE INDEX customers_updated_cover_idx ON customers (updated_at DESC, id DESC)
    INCLUDE (status, risk_score, search_text);
DROP INDEX customers_updated_idx;

-- Every write rewrites search_text, so the trigram index gathers new entries
-- in its pending list, which every search then reads in full. The default
-- limit (4 MB) let it grow to hundreds of pages under steady editing and made
-- a search 10-40 ms slower; 256 kB keeps that under a couple of milliseconds
-- for a little more work per write (fastupdate off would cost 50% more).
ALTER INDEX customers_search_idx SET (gin_pending_list_limit = 256);

-- +goose Down
ALTER INDEX customers_search_idx RESET (gin_pending_list_limit);
CREATE INDEX customers_updated_idx ON customers (updated_at DESC, id DESC);
DROP INDEX customers_updated_cover_idx;
DROP INDEX customers_status_risk_updated_idx;

-- The customers `make bench-ceiling` works on: verity-load's working set (PENDING and REJECTED, by name,
-- :set_size of them), numbered from 0 so that pgbench client c uses k in [c * per, c * per + per).
DROP SCHEMA IF EXISTS bench_ceiling CASCADE;
CREATE SCHEMA bench_ceiling;
CREATE TABLE bench_ceiling.working_set (k int PRIMARY KEY, reference uuid NOT NULL);
INSERT INTO bench_ceiling.working_set
SELECT row_number() OVER (ORDER BY name, reference) - 1, reference
FROM (SELECT name, reference FROM customers WHERE status IN ('PENDING', 'REJECTED') ORDER BY name, reference LIMIT :set_size) s;
ANALYZE bench_ceiling.working_set;

-- PUT status: the row's UPDATE (PENDING <-> REJECTED), its audit entry and the reason as a note tied to it,
-- one statement, its own transaction (as the service writes them).
\set k :client_id * :per + random(0, :per - 1)
WITH old AS (
SELECT c.id, c.status FROM customers c JOIN bench_ceiling.working_set w ON c.reference = w.reference WHERE w.k = :k
), upd AS (
UPDATE customers c SET status = CASE old.status WHEN 'REJECTED' THEN 'PENDING'::customer_status ELSE 'REJECTED' END,
  status_since = now(), version = c.version + 1, updated_at = now()
FROM old WHERE c.id = old.id
RETURNING c.id, c.version, c.status_since, old.status AS status_from, c.status AS status_to
), entry AS (
INSERT INTO audit_entries (actor_type, actor_id, actor_name, action, customer_id, subject, changes_json, reason, request_id)
SELECT 'apikey', 2, 'bench-admin', 'customer.status', upd.id, NULL,
  '[{"field": "status", "from": "a", "to": "b"}]', 'load test', 'pgbench' FROM upd
RETURNING id, actor_type, actor_id, actor_name, customer_id, reason
), note AS (
INSERT INTO customer_notes (customer_id, author_type, author_id, author_name, body, status_entry_id, status_from, status_to, created_at)
SELECT entry.customer_id, entry.actor_type, entry.actor_id, entry.actor_name, entry.reason, entry.id, upd.status_from,
  upd.status_to, now() FROM entry, upd)
SELECT upd.version, upd.status_since, entry.id FROM upd, entry;

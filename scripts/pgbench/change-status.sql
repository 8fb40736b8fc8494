-- PUT status: the row's UPDATE (PENDING <-> REJECTED), its audit entry and the reason as a note, one transaction.
\set k :client_id * :per + random(0, :per - 1)
BEGIN;
UPDATE customers c SET status = CASE c.status WHEN 'REJECTED' THEN 'PENDING'::customer_status ELSE 'REJECTED' END,
  status_since = now(), version = c.version + 1, updated_at = now()
FROM bench_ceiling.working_set w WHERE w.k = :k AND c.reference = w.reference
RETURNING c.id AS cid, (c.status = 'REJECTED')::int AS rejected \gset
INSERT INTO audit_entries (actor_type, actor_id, actor_name, action, customer_id, subject, changes, reason, request_id)
VALUES ('apikey', 2, 'bench-admin', 'customer.status', :cid, NULL,
  '[{"field": "status", "from": "a", "to": "b"}]', 'load test', 'pgbench')
RETURNING id AS entry \gset
INSERT INTO customer_notes (customer_id, author_type, author_id, author_name, body, status_entry_id, status_from, status_to, created_at)
VALUES (:cid, 'apikey', 2, 'bench-admin', 'load test', :entry,
  (CASE :rejected::int WHEN 1 THEN 'PENDING' ELSE 'REJECTED' END)::customer_status,
  (CASE :rejected::int WHEN 1 THEN 'REJECTED' ELSE 'PENDING' END)::customer_status, now());
COMMIT;

-- PUT details: the row's UPDATE (version bump, search text, editor) and its audit entry, one statement, its own
-- transaction (as the service writes them).
\set k :client_id * :per + random(0, :per - 1)
WITH upd AS (
UPDATE customers c SET description = 'pgbench edit ' || :k || '-' || random(), address_line2 = 'Unit ' || :k % 97,
  last_editor = 'user:1', search_text = c.search_text, version = c.version + 1, updated_at = now()
FROM bench_ceiling.working_set w WHERE w.k = :k AND c.reference = w.reference
RETURNING c.id, c.version, c.status_since
), entry AS (
INSERT INTO audit_entries (actor_type, actor_id, actor_name, action, customer_id, subject, changes_json, reason, request_id)
SELECT 'apikey', 1, 'bench-officer', 'customer.update', upd.id, NULL,
  '[{"field": "company.description", "from": "a", "to": "b"}, {"field": "company.address.addressLine2", "from": "c", "to": "d"}]',
  NULL, 'pgbench' FROM upd
RETURNING id)
SELECT upd.version, upd.status_since, entry.id FROM upd, entry;

-- PUT details: the row's UPDATE (version bump, search text, editor) and its audit entry, one transaction.
\set k :client_id * :per + random(0, :per - 1)
BEGIN;
UPDATE customers c SET description = 'pgbench edit ' || :k || '-' || random(), address_line2 = 'Unit ' || :k % 97,
  last_editor = 'user:1', search_text = c.search_text, version = c.version + 1, updated_at = now()
FROM bench_ceiling.working_set w WHERE w.k = :k AND c.reference = w.reference
RETURNING c.id AS cid, c.version \gset
INSERT INTO audit_entries (actor_type, actor_id, actor_name, action, customer_id, subject, changes, reason, request_id)
VALUES ('apikey', 1, 'bench-officer', 'customer.update', :cid, NULL,
  '[{"field": "company.description", "from": "a", "to": "b"}, {"field": "company.address.addressLine2", "from": "c", "to": "d"}]',
  NULL, 'pgbench');
COMMIT;

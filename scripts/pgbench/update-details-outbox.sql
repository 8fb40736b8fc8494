-- PUT details with one endpoint subscribed to data-updated: update-details.sql and, in the same statement, what
-- the outbox adds (internal/webhook/outbox.go EmitSQL) — the event row (its payload a data-updated customer,
-- bench_ceiling.outbox) stored when an endpoint subscribes, and one delivery row per subscribed endpoint. The
-- event's id is time-ordered like the service's UUIDv7 (PostgreSQL 15 has no generator for it).
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
RETURNING id
), ev AS (
INSERT INTO webhook_events (event_id, name, customer_id, payload)
SELECT (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid,
  o.name, upd.id, o.payload
FROM upd, bench_ceiling.outbox o
WHERE EXISTS (SELECT id FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL AND events @> ARRAY[o.name])
RETURNING id, name, customer_id
), outbox AS (
INSERT INTO webhook_deliveries (event_id, endpoint_id, customer_id)
SELECT ev.id, ep.id, ev.customer_id
FROM ev CROSS JOIN LATERAL (SELECT id FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL AND events @> ARRAY[ev.name]) ep
RETURNING 1)
SELECT upd.version, upd.status_since, entry.id, (SELECT count(*) FROM outbox) FROM upd, entry;

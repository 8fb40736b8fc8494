-- What the outbox adds to PUT details' statement when an endpoint subscribes (internal/webhook/outbox.go
-- EmitSQL, one event): the event row — its payload a data-updated customer, bench_ceiling.outbox — stored when
-- an endpoint subscribes, and one delivery row per subscribed endpoint. make bench-ceiling runs it in place of
-- update-details.sql's last line (the statement's final SELECT). The event's id is time-ordered like the
-- service's UUIDv7 (PostgreSQL 15 has no generator for it).
, ev AS (
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
ORDER BY ev.id, ep.id
RETURNING 1)
SELECT upd.version, upd.status_since, entry.id, (SELECT count(*) FROM outbox) FROM upd, entry;

-- PUT status: the two statements `PUT /customers/{ref}/status` runs (PENDING <-> REJECTED, as verity-load
-- does), each its own transaction (no BEGIN, no lock): the read of the customer with its associates, then one
-- statement that writes the row's UPDATE, only at the version it read and with its assignee (none in the
-- working set), the audit entry, the reason as a note tied to it and the status-change event with its
-- deliveries (no endpoint subscribed: nothing).
-- The first statement (the working set's row, its version and this request's values) is measured alone and
-- subtracted.
\set k :client_id * :per + random(0, :per - 1)
SELECT w.id, w.reference AS ref, CASE c.status WHEN 'REJECTED' THEN 'PENDING' ELSE 'REJECTED' END AS status,
  c.status::text AS status_from, w.risk, w.name, c.description AS descr, w.tax, w.regno, w.addr1, c.address_line2 AS addr2,
  w.city, w.postal, w.country, 'apikey:' || 2 AS editor, w.search_text, now() AS ts, '[]' AS review_changes, 'apikey' AS actor_type,
  2 AS actor_id, 'bench-floor-admin' AS actor_name, 'customer.status' AS action,
  '[{"new": "REJECTED", "old": "PENDING", "path": "status"}]' AS changes, 'load test' AS reason,
  md5(random()::text) AS rid, c.version AS ver, '{' || gen_random_uuid() || '}' AS eids,
  '{' || translate('platform/accounts/customer/status-change', '/', chr(58)) || '}' AS events,
  json_build_array(json_build_object('reference', w.reference, 'status', 'REJECTED', 'previousStatus', 'PENDING', 'reason', 'load test'))::text AS payloads
FROM bench_floor.ws w JOIN customers c ON c.id = w.id WHERE w.k = :k \gset
WITH c AS (SELECT id, reference, status, type, risk_score, name, description, tax_residence_country_code,
	registration_number, website, address_line1, address_line2, city, postal_code, country_code, verification_url,
	verification_status, version, CASE WHEN last_editor LIKE 'apikey:%' THEN COALESCE(
	  (SELECT 'user:' || k.owner_id FROM api_keys k WHERE k.id = substr(last_editor, 8)::bigint AND k.owner_id IS NOT NULL),
	  last_editor) ELSE last_editor END, created_at, updated_at, status_since, assignee_id,
	(SELECT su.email FROM staff_users su WHERE su.id = assignee_id) AS assignee_email,
	(SELECT su.name FROM staff_users su WHERE su.id = assignee_id) AS assignee_name,
	review_required, review_changes, review_editor FROM customers WHERE reference = :ref)
	SELECT -1 AS pos, c.*, NULL::bigint AS snapshot_version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM c
	UNION ALL
	SELECT position, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, customer_id, reference, first_name, last_name, date_of_birth::text AS date_of_birth, has_address,
	address_line1, address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number,
	document_type, document_country_code, tax_number, tax_country_code, title, risk_score, has_ownership, has_control,
	is_signer, verification_url, verification_status
	FROM associates WHERE customer_id = (SELECT id FROM c)
	ORDER BY pos;
WITH upd AS (
	UPDATE customers SET status = :status, risk_score = :risk, name = :name, description = :descr, tax_residence_country_code = :tax,
	  registration_number = :regno, address_line1 = :addr1, address_line2 = :addr2, city = :city, postal_code = :postal,
	  country_code = :country, last_editor = :editor, search_text = :search_text, version = version + 1, updated_at = :ts, website = NULL,
	  review_required = false, review_changes = :review_changes, review_editor = NULL
	WHERE id = :id AND version = :ver AND assignee_id IS NOT DISTINCT FROM NULL
	RETURNING id, version, status_since), entry AS (INSERT INTO audit_entries (actor_type, actor_id, actor_name, action, customer_id, subject, changes_json, reason, request_id)
	SELECT :actor_type, :actor_id, :actor_name, :action, :id, NULL, :changes, :reason, :rid FROM upd
	RETURNING id, actor_type, actor_id, actor_name, customer_id, reason), note AS (INSERT INTO customer_notes (customer_id, author_type, author_id, author_name, body, status_entry_id,
	  status_from, status_to, created_at)
	SELECT customer_id, actor_type, actor_id, actor_name, reason, id, :status_from::customer_status, :status::customer_status, :ts FROM entry), ev AS (
	  INSERT INTO webhook_events (event_id, name, customer_id, payload)
	  SELECT u.event_id, u.name, w.id, u.payload
	  FROM (SELECT (SELECT id FROM upd) AS id) w, (
	    SELECT (:eids::uuid[])[1], (:events::text[])[1], btrim(substr(a.t, 2, length(a.t) - 2), E' \t\r\n'), 1::bigint
	    FROM (SELECT btrim(:payloads::text, E' \t\r\n') AS t WHERE cardinality(:eids::uuid[]) = 1 OFFSET 0) a
	    UNION ALL
	    SELECT x.event_id, x.name, x.payload::text, x.i FROM (SELECT :payloads::text AS t WHERE cardinality(:eids::uuid[]) > 1 OFFSET 0) a,
	      ROWS FROM (unnest(:eids::uuid[]), unnest(:events::text[]), json_array_elements(a.t::json))
	      WITH ORDINALITY x(event_id, name, payload, i)
	  ) AS u(event_id, name, payload, i)
	  WHERE w.id IS NOT NULL AND EXISTS (SELECT id FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL AND events @> ARRAY[u.name]) ORDER BY u.i RETURNING id, name, customer_id
	), outbox AS (
	  INSERT INTO webhook_deliveries (event_id, endpoint_id, customer_id)
	  SELECT ev.id, ep.id, ev.customer_id FROM ev CROSS JOIN LATERAL (SELECT id FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL AND events @> ARRAY[ev.name]) ep
	  ORDER BY ev.id, ep.id RETURNING 1)
	SELECT upd.version, upd.status_since, entry.id, (SELECT count(*) FROM outbox) FROM upd, entry;

-- GET one: the one statement `GET /customers/{ref}` runs (the API key is checked from the server's cache):
-- the customer and its associates by reference. The first statement (the working set's row) is measured alone
-- and subtracted by scripts/bench-floor.sh.
\set k :client_id * :per + random(0, :per - 1)
SELECT reference AS ref FROM bench_floor.ws WHERE k = :k \gset
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

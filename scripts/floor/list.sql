-- list filtered (GET /customers?status=PENDING&riskScore=LOW&page=N, N in 0..49): the three statements the API
-- runs — the tab counts, the page's rows (one generic plan: LIMIT and OFFSET as sub-selects) and their
-- associates. The first statement (the page's customer ids, read beforehand with the same page query) is
-- measured alone and subtracted by scripts/bench-floor.sh.
\set page random(0, 49)
SELECT off, ids FROM bench_floor.pages WHERE p = :page \gset
SELECT status::text AS status, sum(n)::bigint AS n FROM customer_counts WHERE risk_score = :risk GROUP BY status;
SELECT id, reference, status, type, risk_score, name, description, tax_residence_country_code,
	registration_number, website, address_line1, address_line2, city, postal_code, country_code, verification_url,
	verification_status, version, last_editor, created_at, updated_at, status_since, assignee_id,
	(SELECT su.email FROM staff_users su WHERE su.id = assignee_id) AS assignee_email,
	(SELECT su.name FROM staff_users su WHERE su.id = assignee_id) AS assignee_name,
	review_required, review_changes, review_editor, 0::bigint FROM customers WHERE id = ANY(ARRAY(SELECT id FROM customers WHERE status = :status AND risk_score = :risk ORDER BY updated_at DESC, id DESC LIMIT (SELECT :lim::int) OFFSET (SELECT :off::int))) ORDER BY updated_at DESC, id DESC;
SELECT customer_id, reference, first_name, last_name, date_of_birth::text AS date_of_birth, has_address,
	address_line1, address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number,
	document_type, document_country_code, tax_number, tax_country_code, title, risk_score, has_ownership, has_control,
	is_signer, verification_url, verification_status FROM associates WHERE customer_id = ANY(:ids) ORDER BY customer_id, position;

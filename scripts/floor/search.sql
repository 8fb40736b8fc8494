-- search (GET /customers?q=TERM, page 0): the three statements the API runs — one newest-first walk for up to
-- 201 matches (the tab counts, the "200+" total and the page's ids), the page's rows by id (with one more row to
-- know a next page exists) and their associates. A template: scripts/bench-floor.sh writes one script per term
-- of verity-load's eight (@PATTERN@, and the first 21 / 20 ids the walk returns as @IDS21@ / @IDS20@) and pgbench
-- picks one at random for each transaction. The server plans the walk for its term and limit each time (an
-- unnamed statement); here it is prepared once with both as constants (the same plan, never a generic one), so
-- the figure is a floor.
(SELECT id, status::text FROM customers WHERE search_text LIKE @PATTERN@ ORDER BY updated_at DESC, id DESC LIMIT 201);
SELECT id, reference, status, type, risk_score, name, description, tax_residence_country_code,
	registration_number, website, address_line1, address_line2, city, postal_code, country_code, verification_url,
	verification_status, version, last_editor, created_at, updated_at, status_since, assignee_id,
	(SELECT su.email FROM staff_users su WHERE su.id = assignee_id) AS assignee_email,
	(SELECT su.name FROM staff_users su WHERE su.id = assignee_id) AS assignee_name,
	review_required, review_changes, review_editor, (SELECT count(*) FROM associates a WHERE a.customer_id = customers.id) FROM customers WHERE id = ANY(@IDS21@) ORDER BY updated_at DESC, id DESC;
SELECT customer_id, reference, first_name, last_name, date_of_birth::text AS date_of_birth, has_address,
	address_line1, address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number,
	document_type, document_country_code, tax_number, tax_country_code, title, risk_score, has_ownership, has_control,
	is_signer, verification_url, verification_status FROM associates WHERE customer_id = ANY(@IDS20@) ORDER BY customer_id, position;

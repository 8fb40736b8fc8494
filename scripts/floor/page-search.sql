-- page search (GET /customers?q=TERM, the web list signed in): the three statements the page runs — the session
-- check, one newest-first walk for up to 201 matches with the Mine count beside it, and the page's rows by id
-- with their associate counts (the Overdue and "Changed since approval" counts and the assignee choices come
-- from the server's 5-second cache). A template like search.sql: one script per term (@PATTERN@, @IDS21@);
-- :sid is a live session of the page user; scripts/bench-floor.sh writes
-- its user id in place of :uid, so that the walk, like the server's, is planned for its own values.
SELECT u.id, u.email, u.name, u.role, u.active, u.session_version, u.created_at, u.updated_at, u.last_login_at,
	       s.user_version AS s_version, s.created_at AS s_created, s.last_seen_at AS s_seen, s.ended_why AS s_ended_why
	FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id
	WHERE s.id = :sid;
(SELECT id, status::text FROM customers WHERE search_text LIKE @PATTERN@ ORDER BY updated_at DESC, id DESC LIMIT 201) UNION ALL SELECT count(*), 'mine' FROM (SELECT 1 FROM customers WHERE assignee_id = :uid LIMIT 10001) m;
SELECT id, reference, status, type, risk_score, name, description, tax_residence_country_code,
	registration_number, website, address_line1, address_line2, city, postal_code, country_code, verification_url,
	verification_status, version, last_editor, created_at, updated_at, status_since, assignee_id,
	(SELECT su.email FROM staff_users su WHERE su.id = assignee_id) AS assignee_email,
	(SELECT su.name FROM staff_users su WHERE su.id = assignee_id) AS assignee_name,
	review_required, review_changes, review_editor, (SELECT count(*) FROM associates a WHERE a.customer_id = customers.id) FROM customers WHERE id = ANY(@IDS21@) ORDER BY updated_at DESC, id DESC;

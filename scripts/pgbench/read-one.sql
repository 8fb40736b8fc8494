-- GET one: the customer row (the columns and sub-selects the service reads) and its associates.
\set k :client_id * :per + random(0, :per - 1)
SELECT c.id AS cid, c.reference, c.status, c.type, c.risk_score, c.name, c.description, c.tax_residence_country_code,
  c.registration_number, c.website, c.address_line1, c.address_line2, c.city, c.postal_code, c.country_code,
  c.verification_url, c.verification_status, c.version,
  CASE WHEN c.last_editor LIKE 'apikey:%' THEN COALESCE(
    (SELECT 'user:' || k.owner_id FROM api_keys k WHERE k.id = substr(c.last_editor, 8)::bigint AND k.owner_id IS NOT NULL),
    c.last_editor) ELSE c.last_editor END AS last_editor,
  c.created_at, c.updated_at, c.status_since, c.assignee_id,
  (SELECT su.email FROM staff_users su WHERE su.id = c.assignee_id) AS assignee_email,
  (SELECT su.name FROM staff_users su WHERE su.id = c.assignee_id) AS assignee_name,
  c.review_required, c.review_changes, c.review_editor
FROM bench_ceiling.working_set w JOIN customers c ON c.reference = w.reference WHERE w.k = :k \gset
SELECT customer_id, reference, first_name, last_name, date_of_birth::text AS date_of_birth, has_address, address_line1,
  address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number, document_type,
  document_country_code, tax_number, tax_country_code, title, risk_score, has_ownership, has_control, is_signer,
  verification_url, verification_status
FROM associates WHERE customer_id = :cid ORDER BY position;

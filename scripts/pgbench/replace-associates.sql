-- PUT associates: the row's UPDATE, the customer's associates deleted and inserted again (new titles),
-- and the audit entry, one statement, its own transaction (as the service writes them).
\set k :client_id * :per + random(0, :per - 1)
\set t random(0, 4)
WITH upd AS (
UPDATE customers c SET last_editor = 'user:1', search_text = c.search_text, version = c.version + 1, updated_at = now()
FROM bench_ceiling.working_set w WHERE w.k = :k AND c.reference = w.reference
RETURNING c.id, c.version, c.status_since
), gone AS (DELETE FROM associates a USING upd WHERE a.customer_id = upd.id RETURNING a.*
), assoc AS (
INSERT INTO associates (customer_id, reference, position, first_name, last_name, date_of_birth, has_address,
  address_line1, address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number,
  document_type, document_country_code, tax_number, tax_country_code, title, risk_score, has_ownership, has_control,
  is_signer, verification_url, verification_status)
SELECT customer_id, reference, position, first_name, last_name, date_of_birth, has_address, address_line1,
  address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number, document_type,
  document_country_code, tax_number, tax_country_code, 'Director ' || :t, risk_score, has_ownership,
  has_control, is_signer, verification_url, verification_status
FROM gone
), entry AS (
INSERT INTO audit_entries (actor_type, actor_id, actor_name, action, customer_id, subject, changes_json, reason, request_id)
SELECT 'apikey', 1, 'bench-officer', 'customer.associates', upd.id, NULL,
  '[{"field": "company.associates[0].title", "from": "a", "to": "b"}]', NULL, 'pgbench' FROM upd
RETURNING id)
SELECT upd.version, upd.status_since, entry.id FROM upd, entry;

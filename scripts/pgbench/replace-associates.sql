-- PUT associates: the row's UPDATE, the customer's associates deleted and inserted again (new titles),
-- and the audit entry, one transaction.
\set k :client_id * :per + random(0, :per - 1)
\set t random(0, 4)
BEGIN;
UPDATE customers c SET last_editor = 'user:1', search_text = c.search_text, version = c.version + 1, updated_at = now()
FROM bench_ceiling.working_set w WHERE w.k = :k AND c.reference = w.reference
RETURNING c.id AS cid \gset
WITH gone AS (DELETE FROM associates WHERE customer_id = :cid RETURNING *)
INSERT INTO associates (customer_id, reference, position, first_name, last_name, date_of_birth, has_address,
  address_line1, address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number,
  document_type, document_country_code, tax_number, tax_country_code, title, risk_score, has_ownership, has_control,
  is_signer, verification_url, verification_status)
SELECT customer_id, reference, position, first_name, last_name, date_of_birth, has_address, address_line1,
  address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number, document_type,
  document_country_code, tax_number, tax_country_code, 'Director ' || :t, risk_score, has_ownership,
  has_control, is_signer, verification_url, verification_status
FROM gone;
INSERT INTO audit_entries (actor_type, actor_id, actor_name, action, customer_id, subject, changes, reason, request_id)
VALUES ('apikey', 1, 'bench-officer', 'customer.associates', :cid, NULL,
  '[{"field": "company.associates[0].title", "from": "a", "to": "b"}]', NULL, 'pgbench');
COMMIT;

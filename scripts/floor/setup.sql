-- make bench-floor: what pgbench needs to run the API's own statements for verity-load's requests.
-- bench_floor.ws is verity-load's working set (PENDING and REJECTED, ordered as its list call orders them:
-- lower(name), id; :set_size of them), numbered from 0 so that pgbench client c uses k in [c * per, c * per + per),
-- with each customer's values as the API sends them back in a write (its associates as arrays, one per column,
-- and a data-updated payload of the customer's size). Each script reads its row first (\gset); that read is
-- measured alone and subtracted.
DROP SCHEMA IF EXISTS bench_floor CASCADE;
CREATE SCHEMA bench_floor;
CREATE TABLE bench_floor.ws AS
SELECT row_number() OVER (ORDER BY lower(c.name), c.id) - 1 AS k, c.id, c.reference, c.risk_score::text AS risk,
  c.name, c.tax_residence_country_code AS tax, c.registration_number AS regno, c.address_line1 AS addr1, c.city,
  c.postal_code AS postal, c.country_code AS country, c.search_text, c.verification_url AS vurl,
  a.a_ref, a.a_pos, a.a_first, a.a_last, a.a_dob, a.a_has_addr, a.a_addr1, a.a_addr2, a.a_city, a.a_postal,
  a.a_country, a.a_birth, a.a_email, a.a_phone, a.a_docno, a.a_doctype, a.a_doccountry, a.a_taxno, a.a_taxcountry,
  a.a_risk, a.a_own, a.a_control, a.a_signer, a.a_vurl, a.a_vstatus, a.n AS a_n,
  (SELECT json_build_object('reference', c.reference, 'status', c.status, 'company', row_to_json(c), 'associates', json_agg(x))
     FROM associates x WHERE x.customer_id = c.id)::text AS payload
FROM (SELECT * FROM customers WHERE status IN ('PENDING', 'REJECTED') ORDER BY lower(name), id LIMIT :set_size) c,
LATERAL (SELECT count(*) AS n,
  array_agg(reference ORDER BY position)::text AS a_ref, array_agg(position ORDER BY position)::text AS a_pos,
  array_agg(first_name ORDER BY position)::text AS a_first, array_agg(last_name ORDER BY position)::text AS a_last,
  array_agg(date_of_birth::text ORDER BY position)::text AS a_dob, array_agg(has_address ORDER BY position)::text AS a_has_addr,
  array_agg(address_line1 ORDER BY position)::text AS a_addr1, array_agg(address_line2 ORDER BY position)::text AS a_addr2,
  array_agg(city ORDER BY position)::text AS a_city, array_agg(postal_code ORDER BY position)::text AS a_postal,
  array_agg(country_code ORDER BY position)::text AS a_country, array_agg(birth_country_code ORDER BY position)::text AS a_birth,
  array_agg(email ORDER BY position)::text AS a_email, array_agg(phone ORDER BY position)::text AS a_phone,
  array_agg(document_number ORDER BY position)::text AS a_docno, array_agg(document_type::text ORDER BY position)::text AS a_doctype,
  array_agg(document_country_code ORDER BY position)::text AS a_doccountry, array_agg(tax_number ORDER BY position)::text AS a_taxno,
  array_agg(tax_country_code ORDER BY position)::text AS a_taxcountry, array_agg(risk_score::text ORDER BY position)::text AS a_risk,
  array_agg(has_ownership ORDER BY position)::text AS a_own, array_agg(has_control ORDER BY position)::text AS a_control,
  array_agg(is_signer ORDER BY position)::text AS a_signer, array_agg(verification_url ORDER BY position)::text AS a_vurl,
  array_agg(verification_status ORDER BY position)::text AS a_vstatus
  FROM associates WHERE customer_id = c.id) a;
ALTER TABLE bench_floor.ws ADD PRIMARY KEY (k);
ANALYZE bench_floor.ws;
-- The list scenario's pages (GET /customers?status=PENDING&riskScore=LOW&page=N, N in 0..49): each page's
-- customer ids as the page query returns them now, for the associates statement that follows it.
CREATE TABLE bench_floor.pages AS
SELECT p, p * 20 AS off, '{' || coalesce((SELECT string_agg(id::text, ',' ORDER BY updated_at DESC, id DESC) FROM (SELECT id, updated_at
  FROM customers WHERE status = 'PENDING' AND risk_score = 'LOW' ORDER BY updated_at DESC, id DESC LIMIT 20 OFFSET p * 20) s), '') || '}' AS ids
FROM generate_series(0, 49) p;
ALTER TABLE bench_floor.pages ADD PRIMARY KEY (p);

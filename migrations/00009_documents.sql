-- Documents: the evidence behind a verification (issue 9). The bytes live in
-- PostgreSQL beside the customer, so backups and transactions cover them, in
-- 256 KiB chunks that upload and download stream one at a time. Only
-- additions: a binary of the previous release never reads these tables.

-- +goose Up
CREATE TABLE documents (
    id                 bigserial   PRIMARY KEY,
    reference          uuid        NOT NULL UNIQUE,
    customer_id        bigint      NOT NULL REFERENCES customers (id),
    -- the associate's person.reference; NULL for a company document. Not a
    -- foreign key: an associate removed from the list keeps its documents.
    person_reference   uuid,
    -- the associate's name when the document was uploaded, for the history
    -- of an associate that is no longer on the list
    person_name        text        NOT NULL DEFAULT '',
    type               text        NOT NULL CHECK (type IN ('COMPANY_DOC', 'PASSPORT', 'ID_CARD', 'DRIVERS_LICENSE',
                                                            'RESIDENCE_PERMIT', 'SELFIE', 'UTILITY_BILL')),
    sub_type           text        NOT NULL DEFAULT '' CHECK (sub_type IN ('', 'INCORPORATION_CERT', 'REGISTER_EXTRACT',
                                                            'SHAREHOLDER_REGISTER', 'PROOF_OF_ADDRESS', 'FRONT_SIDE', 'BACK_SIDE')),
    name               text        NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    description        text        NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    country_code       text        NOT NULL DEFAULT '' CHECK (country_code = '' OR country_code ~ '^[A-Z]{2}$'),
    external_reference text        NOT NULL DEFAULT '' CHECK (length(external_reference) <= 200),
    content_type       text        NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size               bigint      NOT NULL CHECK (size > 0),
    sha256             bytea       NOT NULL CHECK (length(sha256) = 32),
    state              text        NOT NULL DEFAULT 'PENDING_REVIEW' CHECK (state IN ('PENDING_REVIEW', 'ACCEPTED', 'REJECTED')),
    reason             text        NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    uploaded_by        text        NOT NULL,
    uploaded_principal text        NOT NULL,
    uploaded_at        timestamptz NOT NULL DEFAULT now(),
    reviewed_by        text,
    reviewed_principal text,
    reviewed_at        timestamptz,
    superseded_by      bigint      REFERENCES documents (id) DEFERRABLE INITIALLY DEFERRED,
    superseded_at      timestamptz,
    CHECK ((superseded_by IS NULL) = (superseded_at IS NULL)),
    CHECK ((reviewed_at IS NULL) = (state = 'PENDING_REVIEW')),
    CHECK (state <> 'REJECTED' OR length(btrim(reason)) > 0),
    CHECK (type = 'COMPANY_DOC' OR person_reference IS NOT NULL),
    CHECK (type <> 'COMPANY_DOC' OR person_reference IS NULL)
);
CREATE INDEX documents_customer_idx ON documents (customer_id, uploaded_at);
-- At most one current document per slot (person, type, sub-type) of a
-- customer: a new upload supersedes the current one in the same transaction.
CREATE UNIQUE INDEX documents_current_idx ON documents
    (customer_id, coalesce(person_reference, '00000000-0000-0000-0000-000000000000'::uuid), type, sub_type)
    WHERE superseded_by IS NULL;

-- The chunks reference the document's id before its row is written (the
-- row needs the hash, known only after the last chunk): deferred.
CREATE TABLE document_chunks (
    document_id bigint  NOT NULL REFERENCES documents (id) DEFERRABLE INITIALLY DEFERRED,
    seq         integer NOT NULL CHECK (seq >= 0),
    data        bytea   NOT NULL,
    PRIMARY KEY (document_id, seq)
);
-- PDF, JPEG and PNG are compressed already: keep TOAST from trying again.
ALTER TABLE document_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- Documents are never deleted (an edit only supersedes).
-- +goose StatementBegin
CREATE FUNCTION documents_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'documents are never deleted';
END $$;
-- +goose StatementEnd
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_no_delete();
CREATE TRIGGER documents_no_truncate BEFORE TRUNCATE ON documents
    FOR EACH STATEMENT EXECUTE FUNCTION documents_no_delete();

-- +goose Down
DROP TABLE document_chunks;
DROP TABLE documents;
DROP FUNCTION documents_no_delete;

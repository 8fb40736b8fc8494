-- +goose Up
-- Verity's schema: staff, API keys, customers with their associates, the audit
-- trail and the idempotency records of the JSON API. Rules the data must keep
-- (enums, uniqueness, immutability of the audit trail) live here as well as in Go.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TYPE customer_status AS ENUM ('PENDING', 'VERIFIED', 'REJECTED');
CREATE TYPE risk_score AS ENUM ('LOW', 'MEDIUM', 'HIGH');
CREATE TYPE staff_role AS ENUM ('viewer', 'officer', 'admin');
CREATE TYPE document_type AS ENUM ('PASSPORT', 'ID_CARD', 'DRIVERS_LICENSE', 'RESIDENCE_PERMIT');

CREATE TABLE staff_users (
    id              bigserial PRIMARY KEY,
    email           text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name            text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    role            staff_role  NOT NULL,
    password_hash   text        NOT NULL,
    active          boolean     NOT NULL DEFAULT true,
    -- bumped on deactivation, role or password change: sessions carrying an older value are void
    session_version integer     NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_login_at   timestamptz
);
CREATE UNIQUE INDEX staff_users_email_key ON staff_users (lower(email));

CREATE TABLE api_keys (
    id           bigserial PRIMARY KEY,
    name         text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    role         staff_role  NOT NULL,
    prefix       text        NOT NULL,           -- first characters, shown to people to tell keys apart
    key_hash     bytea       NOT NULL UNIQUE,     -- SHA-256 of the whole key; the key itself is never stored
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE customers (
    id                         bigserial PRIMARY KEY,
    reference                  uuid            NOT NULL UNIQUE,
    status                     customer_status NOT NULL DEFAULT 'PENDING',
    type                       text            NOT NULL DEFAULT 'COMPANY' CHECK (type = 'COMPANY'),
    risk_score                 risk_score      NOT NULL,
    name                       text            NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    description                text            CHECK (length(description) <= 2000),
    tax_residence_country_code text            NOT NULL CHECK (tax_residence_country_code ~ '^[A-Z]{2}$'),
    registration_number        text            NOT NULL CHECK (length(btrim(registration_number)) BETWEEN 1 AND 64),
    address_line1              text            NOT NULL CHECK (length(btrim(address_line1)) BETWEEN 1 AND 200),
    address_line2              text            CHECK (length(address_line2) <= 200),
    city                       text            NOT NULL CHECK (length(btrim(city)) BETWEEN 1 AND 100),
    postal_code                text            NOT NULL CHECK (length(postal_code) <= 32),
    country_code               text            NOT NULL CHECK (country_code ~ '^[A-Z]{2}$'),
    verification_url           text            NOT NULL,
    verification_status        text            NOT NULL,
    version                    integer         NOT NULL DEFAULT 1,
    -- who made the latest change to details or associates ('user:7', 'apikey:3'): the four-eyes rule
    last_editor                text,
    -- name, registration number and associate names, lower-cased, for trigram search
    search_text                text            NOT NULL DEFAULT '',
    created_at                 timestamptz     NOT NULL DEFAULT now(),
    updated_at                 timestamptz     NOT NULL DEFAULT now()
);
CREATE INDEX customers_updated_idx ON customers (updated_at DESC, id DESC);
CREATE INDEX customers_status_updated_idx ON customers (status, updated_at DESC, id DESC);
CREATE INDEX customers_name_idx ON customers (lower(name), id);
CREATE INDEX customers_status_name_idx ON customers (status, lower(name), id);
CREATE INDEX customers_search_idx ON customers USING gin (search_text gin_trgm_ops);

CREATE TABLE associates (
    id                          bigserial PRIMARY KEY,
    customer_id                 bigint        NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    reference                   uuid          NOT NULL UNIQUE,
    position                    integer       NOT NULL,
    first_name                  text          NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name                   text          NOT NULL CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
    date_of_birth               date,
    has_address                 boolean       NOT NULL DEFAULT false,
    address_line1               text,
    address_line2               text,
    city                        text,
    postal_code                 text,
    country_code                text CHECK (country_code ~ '^[A-Z]{2}$'),
    birth_country_code          text CHECK (birth_country_code ~ '^[A-Z]{2}$'),
    email                       text,
    email_key                   text GENERATED ALWAYS AS (lower(email)) STORED,
    phone                       text CHECK (phone ~ '^\+[0-9]{7,15}$'),
    document_number             text,
    document_type               document_type,
    document_country_code       text CHECK (document_country_code ~ '^[A-Z]{2}$'),
    tax_number                  text,
    tax_country_code            text CHECK (tax_country_code ~ '^[A-Z]{2}$'),
    title                       text,
    risk_score                  risk_score,
    has_ownership               boolean       NOT NULL DEFAULT false,
    has_control                 boolean       NOT NULL DEFAULT false,
    is_signer                   boolean       NOT NULL DEFAULT false,
    verification_url            text          NOT NULL,
    verification_status         text          NOT NULL,
    CONSTRAINT associates_position_key UNIQUE (customer_id, position) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT associates_email_key UNIQUE (customer_id, email_key) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT associates_document_key UNIQUE (customer_id, document_type, document_number, document_country_code)
        DEFERRABLE INITIALLY DEFERRED
);

-- Counts per status and risk for the queue tabs and list totals, kept as deltas
-- so concurrent writers never wait on one another; compacted in the background.
CREATE TABLE customer_counts (
    status     customer_status NOT NULL,
    risk_score risk_score      NOT NULL,
    n          bigint          NOT NULL
);
CREATE INDEX customer_counts_idx ON customer_counts (status, risk_score);

-- +goose StatementBegin
CREATE FUNCTION customer_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_counts (status, risk_score, n)
    SELECT status, risk_score, count(*) FROM new_rows GROUP BY status, risk_score;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER customers_count_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_counts_insert();

-- +goose StatementBegin
CREATE FUNCTION customer_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO customer_counts (status, risk_score, n) VALUES (OLD.status, OLD.risk_score, -1);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO customer_counts (status, risk_score, n) VALUES (NEW.status, NEW.risk_score, 1);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER customers_count_update AFTER UPDATE ON customers FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.risk_score IS DISTINCT FROM NEW.risk_score)
    EXECUTE FUNCTION customer_counts_change();
CREATE TRIGGER customers_count_delete AFTER DELETE ON customers FOR EACH ROW
    EXECUTE FUNCTION customer_counts_change();

CREATE TABLE audit_entries (
    id          bigserial PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_type  text        NOT NULL CHECK (actor_type IN ('user', 'apikey', 'system', 'anonymous')),
    actor_id    bigint,
    actor_name  text        NOT NULL,
    action      text        NOT NULL,
    customer_id bigint      REFERENCES customers (id),
    subject     text,
    changes     jsonb       NOT NULL DEFAULT '[]',
    reason      text,
    request_id  text
);
CREATE INDEX audit_entries_customer_idx ON audit_entries (customer_id, id DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX audit_entries_occurred_idx ON audit_entries (occurred_at DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries cannot be changed or deleted';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_immutable();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_immutable();

CREATE TABLE idempotency_keys (
    scope        text        NOT NULL,  -- the caller: 'apikey:3', 'user:7'
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash bytea       NOT NULL,
    response     jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE audit_entries;
DROP FUNCTION audit_entries_immutable;
DROP TABLE customer_counts;
DROP TABLE associates;
DROP TABLE customers;
DROP FUNCTION customer_counts_insert;
DROP FUNCTION customer_counts_change;
DROP TABLE api_keys;
DROP TABLE staff_users;
DROP TYPE document_type;
DROP TYPE staff_role;
DROP TYPE risk_score;
DROP TYPE customer_status;

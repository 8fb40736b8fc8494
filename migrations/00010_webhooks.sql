-- Webhooks (docs/webhooks.md): endpoints admins register, the events customer
-- writes cause, and one delivery per event and subscribed endpoint — the
-- outbox. An event and its deliveries are inserted in the transaction of the
-- change that causes them; the worker in `verity serve` claims due deliveries
-- with FOR UPDATE SKIP LOCKED. Only new tables: an older binary never reads them.

-- +goose Up
CREATE TABLE webhook_endpoints (
    id                  bigserial   PRIMARY KEY,
    reference           uuid        NOT NULL UNIQUE,
    url                 text        NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    events              text[]      NOT NULL,
    enabled             boolean     NOT NULL DEFAULT true,
    -- HMAC keys: they must be readable to sign, so they cannot be hashed;
    -- only the webhook service reads them and no page or answer shows them
    -- after creation or rotation.
    secret              text        NOT NULL,
    previous_secret     text,
    previous_expires_at timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz
);
CREATE INDEX webhook_endpoints_events_idx ON webhook_endpoints USING gin (events) WHERE enabled AND deleted_at IS NULL;

CREATE TABLE webhook_events (
    id          bigserial   PRIMARY KEY,
    event_id    uuid        NOT NULL UNIQUE,
    name        text        NOT NULL,
    customer_id bigint      NOT NULL REFERENCES customers (id),
    payload     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_events_customer_idx ON webhook_events (customer_id, id DESC);

CREATE TABLE webhook_deliveries (
    id              bigserial   PRIMARY KEY,
    event_id        bigint      NOT NULL REFERENCES webhook_events (id),
    endpoint_id     bigint      NOT NULL REFERENCES webhook_endpoints (id),
    customer_id     bigint      NOT NULL,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    last_status     integer,
    last_latency_ms integer,
    last_error      text,
    delivered_at    timestamptz,
    redelivery_of   bigint      REFERENCES webhook_deliveries (id),
    created_at      timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 80); -- room for the claim's update to stay on its page (HOT)
-- The worker's claim: due pending deliveries, and the "no older pending
-- delivery of this customer for this endpoint" check that keeps order.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (endpoint_id, customer_id, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhook_endpoints;

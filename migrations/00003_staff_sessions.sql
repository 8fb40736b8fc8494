-- +goose Up
-- Server-side staff sessions and sign-in throttling counters. Both are new
-- tables: a binary of the previous release keeps working beside this one
-- (it neither reads nor writes them).

-- One row per signed-in browser. The cookie carries a random token; the row
-- is keyed by the token's SHA-256, so reading this table does not give anyone
-- a usable session. A session is valid while ended_at is NULL, its user is
-- active with the same session_version as when it started, and it is neither
-- idle (last_seen_at) nor too old (created_at); the per-request check is one
-- primary-key join with staff_users.
CREATE TABLE staff_sessions (
    id           bytea       PRIMARY KEY CHECK (length(id) = 32),
    user_id      bigint      NOT NULL REFERENCES staff_users (id),
    user_version integer     NOT NULL,   -- staff_users.session_version when it started
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,   -- moved at most once a minute
    ended_at     timestamptz,
    ended_why    text        CHECK (length(ended_why) <= 64),
    user_agent   text        NOT NULL DEFAULT '' CHECK (length(user_agent) <= 256),
    ip           text        NOT NULL DEFAULT '' CHECK (length(ip) <= 64),
    CHECK ((ended_at IS NULL) = (ended_why IS NULL))
);
-- A user's open sessions: the account page, sign out everywhere.
CREATE INDEX staff_sessions_user_open_idx ON staff_sessions (user_id, created_at) WHERE ended_at IS NULL;
-- Pruning ended and expired rows.
CREATE INDEX staff_sessions_last_seen_idx ON staff_sessions (last_seen_at);

-- Failed (and in-flight) sign-in attempts, one row each, kept for an hour.
-- An attempt is written when it starts and deleted again when it succeeds,
-- so concurrent guesses count against each other. Counts per (account, IP),
-- per IP and per account are read from here: every instance shares them,
-- they survive restarts and nothing an attacker sends can evict a row.
CREATE TABLE signin_failures (
    id      bigserial   PRIMARY KEY,
    account text        NOT NULL CHECK (length(account) <= 1024),  -- lower-cased e-mail as typed
    ip      text        NOT NULL CHECK (length(ip) <= 64),         -- '' when unknown
    at      timestamptz NOT NULL
);
CREATE INDEX signin_failures_account_idx ON signin_failures (account, at);
CREATE INDEX signin_failures_ip_idx ON signin_failures (ip, at);
CREATE INDEX signin_failures_at_idx ON signin_failures (at);

-- +goose Down
DROP TABLE signin_failures;
DROP TABLE staff_sessions;

-- +goose Up
-- Every API key belongs to a principal, so the four-eyes rule compares people
-- rather than credentials: a key with an owner acts for that staff user; a key
-- without one is a service principal of its own (an automation identity).
-- Keys may expire. Only additions: a binary of the previous release keeps
-- working beside this schema (its keys are service principals until a new
-- binary makes them, and reads a key's owner at approval; see docs/api.md).

ALTER TABLE api_keys ADD COLUMN owner_id bigint REFERENCES staff_users (id);
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
CREATE INDEX api_keys_owner_idx ON api_keys (owner_id) WHERE owner_id IS NOT NULL;

-- Existing keys go to the staff user who created them where the audit trail
-- says who: the 'apikey.create' entry of a signed-in user, whose subject is
-- "NAME (PREFIX…)". Keys made on the command line (actor 'system') stay
-- service principals. Should two entries name the same key, the first wins.
UPDATE api_keys k SET owner_id = made.actor_id
FROM (
    SELECT DISTINCT ON (a.subject) a.subject, a.actor_id
    FROM audit_entries a JOIN staff_users u ON u.id = a.actor_id
    WHERE a.action = 'apikey.create' AND a.actor_type = 'user'
    ORDER BY a.subject, a.id
) made
WHERE k.owner_id IS NULL AND made.subject = k.name || ' (' || k.prefix || '…)';

-- What such keys changed now counts as their owner's change.
UPDATE customers c SET last_editor = 'user:' || k.owner_id
FROM api_keys k
WHERE k.owner_id IS NOT NULL AND c.last_editor = 'apikey:' || k.id;

-- +goose Down
DROP INDEX api_keys_owner_idx;
ALTER TABLE api_keys DROP COLUMN expires_at;
ALTER TABLE api_keys DROP COLUMN owner_id;

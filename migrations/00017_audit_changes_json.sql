-- Audit entries' changes are written to a new column, changes_json, of type
-- json instead of jsonb (docs/import.md "The trail's changes as json").
-- Every entry's changes are encoded by the service alone (audit.Record:
-- AppendChanges or encoding/json), and no statement queries inside them:
-- the trail is read back whole, decoded in Go. jsonb made PostgreSQL parse
-- each entry into its binary form — building every string, sorting every
-- object's keys — and compress that larger form, in every audited write: an
-- import's creation entry carries the whole customer, and the parse was the
-- largest single part of an import line's PostgreSQL time. json checks the
-- syntax and stores the bytes as the service wrote them.
--
-- Why a new column rather than ALTER … TYPE json: the type change rewrites
-- the whole trail under an exclusive lock — every audited write waits for
-- it (2 s for 20,000 entries measured; minutes for millions). Adding a
-- nullable column is a catalogue change.
--
-- The rule, one place in the code (audit.ChangesSQL): an entry's changes are
-- changes_json when it is set, else changes. Entries written before this
-- migration, and by an older binary during a rolling deploy, keep theirs in
-- changes (jsonb); entries written by this release leave changes at its
-- default '[]'. Rolling-deploy gap: while an older binary still runs, the
-- history it shows of entries written through a newer instance lists no
-- field changes (they are stored, in changes_json; the newer instances show
-- them). Contract: nothing to drop — changes keeps the older entries.

-- +goose Up
ALTER TABLE audit_entries ADD COLUMN changes_json json;
COMMENT ON COLUMN audit_entries.changes_json IS
    'the changes of entries written from migration 00017 on, as the service encoded them; NULL: see changes';
COMMENT ON COLUMN audit_entries.changes IS
    'the changes of entries written before migration 00017 (or by an older binary); later entries keep theirs in changes_json';

-- +goose Down
-- The trail never loses an entry's changes: they go back into changes (the
-- entries' no-update rule is lifted for that one statement).
ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_update;
UPDATE audit_entries SET changes = changes_json::jsonb WHERE changes_json IS NOT NULL;
ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_update;
COMMENT ON COLUMN audit_entries.changes IS NULL;
ALTER TABLE audit_entries DROP COLUMN changes_json;

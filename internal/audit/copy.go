package audit

// Columns are the audit_entries columns an entry is written with, in the
// order of Record.Args: InsertSQL and a bulk load (COPY) write the same row.
// The changes go to changes_json (json: stored as encoded, not parsed into
// jsonb; migration 00017); changes keeps its default.
var Columns = []string{"actor_type", "actor_id", "actor_name", "action", "customer_id", "subject", "changes_json", "reason", "request_id"}

// ChangesSQL is THE rule of where an entry's changes are, as a column named
// changes of the entry whose table is called t: changes_json when it is set
// (entries from migration 00017 on), else changes (older entries, and an
// older binary's during a rolling deploy).
func ChangesSQL(t string) string {
	return "coalesce(" + t + ".changes_json, " + t + ".changes::json) AS changes"
}

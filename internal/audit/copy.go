package audit

// Columns are the audit_entries columns an entry is written with, in the
// order of Record.Args: InsertSQL and a bulk load (COPY) write the same row.
var Columns = []string{"actor_type", "actor_id", "actor_name", "action", "customer_id", "subject", "changes", "reason", "request_id"}

package audit

// Columns are the audit_entries columns Values fills, in its order: a bulk
// load (COPY) writes the same row Write would.
var Columns = []string{"actor_type", "actor_id", "actor_name", "action", "customer_id", "subject", "changes", "reason", "request_id"}

// Values are the row Write inserts for r, in Columns' order.
func (r Record) Values() ([]any, error) { return r.args() }

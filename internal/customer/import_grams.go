package customer

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/audit"
)

// An import's batch maintains what the customers' insert triggers maintain
// for every other writer (migration 00016): its transaction sets
// verity.bulk, so those row triggers step aside, and the batch writes the
// search grams and the counters' deltas itself, set-based, in the same
// transaction as its COPY of the customers — a batch that rolls back leaves
// neither.

// bulkSQL makes the batch's own transaction skip the customers' insert
// triggers (their WHEN reads verity.bulk); SET LOCAL ends with it.
const bulkSQL = `SET LOCAL verity.bulk = 'on'`

// appendGramsArray appends the array literal of t's search grams: every
// character, then every pair of adjacent characters, in order, duplicates
// kept — the array the SQL function customer_search_grams(t) answers
// (migration 00011), which stays the rule: TestImportGramsAreTheFunctions
// holds this twin to it on quotes, backslashes, non-ASCII and combining
// marks. The batch computes them here rather than by the function over its
// just-copied rows because that INSERT … SELECT cost PostgreSQL ~20 µs more
// per line (100k-line import, 26.1–27.0 s against 27.5–27.6). Each element
// is quoted, so spaces, commas, braces, quotes and backslashes need no other
// care than a backslash before a quote or a backslash.
func appendGramsArray(buf []byte, t string) []byte {
	buf = append(buf, '{')
	first := true
	elem := func(s string) {
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(buf, '"')
		for i := 0; i < len(s); i++ {
			if s[i] == '"' || s[i] == '\\' {
				buf = append(buf, '\\')
			}
			buf = append(buf, s[i])
		}
		buf = append(buf, '"')
	}
	var at [128]int
	offs := at[:0] // where each character starts, then len(t)
	for i := range t {
		offs = append(offs, i)
	}
	offs = append(offs, len(t))
	for k := 0; k+1 < len(offs); k++ {
		elem(t[offs[k]:offs[k+1]])
	}
	for k := 0; k+2 < len(offs); k++ {
		elem(t[offs[k]:offs[k+2]])
	}
	return append(buf, '}')
}

// copyGramsColumns are the columns of customer_search_grams.
var copyGramsColumns = []string{"customer_id", "grams"}

// copyGrams writes the batch's search grams (cs[i]'s search text is
// texts[i]) by one COPY.
func copyGrams(ctx context.Context, conn *sqlx.Conn, w *audit.CopyText, cs []*Customer, texts []string) error {
	var arr []byte
	return copyText(ctx, conn, w, "customer_search_grams", copyGramsColumns, len(cs), func(i int) {
		w.Int(cs[i].ID)
		arr = appendGramsArray(arr[:0], texts[i])
		w.TextBytes(arr)
		w.EndRow()
	})
}

const insertCountsSQL = `
INSERT INTO customer_counts (status, risk_score, n)
SELECT * FROM unnest($1::customer_status[], $2::risk_score[], $3::bigint[])`

// insertCounts adds the batch's customers to the list counters: one delta
// row per status and risk, as the insert trigger of a statement made.
func insertCounts(ctx context.Context, tx *sqlx.Tx, cs []*Customer) error {
	type key struct{ status, risk string }
	n := map[key]int64{}
	var order []key
	for _, c := range cs {
		k := key{string(c.Status), string(c.RiskScore)}
		if n[k] == 0 {
			order = append(order, k)
		}
		n[k]++
	}
	statuses, risks, counts := make([]string, len(order)), make([]string, len(order)), make([]int64, len(order))
	for i, k := range order {
		statuses[i], risks[i], counts[i] = k.status, k.risk, n[k]
	}
	if _, err := tx.ExecContext(ctx, insertCountsSQL, pq.Array(statuses), pq.Array(risks), pq.Array(counts)); err != nil {
		return fmt.Errorf("customer counts: %w", err)
	}
	return nil
}

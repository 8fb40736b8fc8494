package customer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/lib/pq"
)

// A search (q) reads its matches in one walk, newest first — the list's
// default order — and stops after SearchCountLimit+1 of them. That walk
// gives the per-status counts (exact when it stopped early, "200+"
// otherwise) and, for the first pages of the default sort, the page's
// ids: the page then costs one read of its rows by id instead of a second
// search. Deeper pages and the other sorts search again (listSQL).

// shortTerm is the longest term, in characters, that the trigram index
// cannot serve; customer_search_grams (migration 00011) serves it.
const shortTerm = 2

// queryConds adds the search's conditions: the term anywhere in
// search_text (lower-cased, like the text), or a customer's reference.
func (f *Filter) queryConds(add func(string, any), conds *[]string, args *[]any) {
	if f.Query == "" {
		return
	}
	term := strings.ToLower(f.Query)
	like := "%" + escapeLike(term) + "%"
	if id, err := uuid.Parse(f.Query); err == nil {
		*args = append(*args, like, id)
		*conds = append(*conds, fmt.Sprintf("(search_text LIKE $%d OR reference = $%d)", len(*args)-1, len(*args)))
		return
	}
	add("search_text LIKE $%d", like)
	if utf8.RuneCountInString(term) <= shortTerm && !f.commonTerm {
		// The same customers (a text holds a term of one or two characters
		// exactly when its grams do), found through the grams' index. A common
		// term goes without: the newest-first walk finds its matches at once,
		// and the join would only make each step dearer.
		add("id IN (SELECT customer_id FROM customer_search_grams WHERE grams @> ARRAY[$%d::text])", term)
	}
}

// gramStats is what the planner knows of customer_search_grams: the share
// of customers holding each of its most common grams, and how many
// customers there are (negative: never analysed).
type gramStats struct {
	freq map[string]float64
	rows float64
}

// gramStatsTTL is how long List reuses gramStats; they change only when
// the table is analysed.
const gramStatsTTL = time.Minute

// commonMatches is how many customers a short term must match for the
// newest-first walk to beat the grams index: the walk then reads a few
// thousand index entries to find a page and the count limit, while the
// index would make PostgreSQL read and sort more rows than that.
var commonMatches = 5000.0 // a variable for the tests

const gramStatsSQL = `
SELECT coalesce((SELECT reltuples FROM pg_class WHERE oid = 'customer_search_grams'::regclass), -1),
       coalesce(s.most_common_elems::text::text[], '{}'), coalesce(s.most_common_elem_freqs, '{}')
FROM (SELECT 1) one LEFT JOIN pg_stats s ON s.schemaname = current_schema()
    AND s.tablename = 'customer_search_grams' AND s.attname = 'grams'`

// commonTerm tells whether q is a one- or two-letter term that more than
// commonMatches customers hold, by the planner's statistics of the grams.
func (s *Service) commonTerm(ctx context.Context, q string) (bool, error) {
	term := strings.ToLower(q)
	if term == "" || utf8.RuneCountInString(term) > shortTerm {
		return false, nil
	}
	st, err := s.grams.get(ctx, gramStatsTTL, time.Now(), func(ctx context.Context) (gramStats, error) {
		var elems pq.StringArray
		var freqs pq.Float64Array
		st := gramStats{}
		if err := s.db.QueryRowContext(ctx, gramStatsSQL).Scan(&st.rows, &elems, &freqs); err != nil {
			return st, fmt.Errorf("read search statistics: %w", err)
		}
		st.freq = make(map[string]float64, len(elems))
		for i, e := range elems {
			if i < len(freqs) {
				st.freq[e] = freqs[i]
			}
		}
		return st, nil
	})
	if err != nil {
		return false, err
	}
	return st.freq[term]*st.rows > commonMatches, nil
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// match is one customer a search's walk found.
type match struct {
	id     int64
	status Status
}

// searchPage is what a search's walk found for the statuses the list shows:
// their matches newest first, all of them when complete.
type searchPage struct {
	matches  []match
	complete bool
}

// ids is the page at offset, one row long (to tell hasNext), from the walk.
func (sp *searchPage) ids(f Filter, offset int64) []int64 {
	end := min(int(offset)+f.Size+1, len(sp.matches))
	out := make([]int64, 0, max(end-int(offset), 0))
	for i := int(offset); i < end; i++ {
		out = append(out, sp.matches[i].id)
	}
	return out
}

// covers tells whether the walk found the page at offset of the default sort.
func (sp *searchPage) covers(f Filter, offset int64) bool {
	return f.Sort == SortUpdated && (sp.complete || offset+int64(f.Size)+1 <= int64(len(sp.matches)))
}

// searchWalkSQL reads a search's matches newest first. For a common term
// that is an index-only walk of customers_updated_cover_idx that stops at the
// limit; for a rare one the trigram (or grams) index and a sort of its few
// matches. It is planned for its term each time, never prepared.
const searchWalkSQL = `SELECT id, status::text FROM customers%s ORDER BY updated_at DESC, id DESC LIMIT $%d`

// mineMatchRow adds the Mine count to the first walk as a row of its own
// (the count in the id column), saving a round trip on every search.
const mineMatchRow = ` UNION ALL SELECT count(*), 'mine' FROM (SELECT 1 FROM customers WHERE assignee_id = $%d LIMIT $%d) m`

// search fills the totals and tab counts of a search and the Mine count of
// the person me (0: nobody). It returns the walk's matches when they hold
// the page asked for, nil when the page must be searched for.
func (s *Service) search(ctx context.Context, f Filter, p *Page, me int64) (*searchPage, error) {
	limit := s.opts.SearchCountLimit
	all := f
	all.Statuses = nil // the tabs count every status
	where, args := all.where()
	args = append(args, limit+1)
	q := "(" + fmt.Sprintf(searchWalkSQL, where, len(args)) + ")"
	if me != 0 {
		args = append(args, me, QueueCountLimit+1)
		q += fmt.Sprintf(mineMatchRow, len(args)-1, len(args))
	}
	found, err := s.walk(ctx, q, args)
	if err != nil {
		return nil, err
	}
	p.Counts = make(map[Status]int64, len(Statuses))
	sel := &searchPage{matches: found[:0]}
	for _, m := range found {
		if m.status == "mine" {
			p.Queues.Mine = m.id
			continue
		}
		p.Counts[m.status]++
		if len(f.Statuses) == 0 || slices.Contains(f.Statuses, m.status) {
			sel.matches = append(sel.matches, m)
		}
	}
	var seen int64
	for _, n := range p.Counts {
		seen += n
	}
	p.CountsExact = seen <= int64(limit)
	sel.complete = p.CountsExact
	if !p.CountsExact && len(statusesOf(f)) < len(Statuses) {
		// The newest matches of every status hid how many the shown ones have.
		where, args := f.where()
		args = append(args, limit+1)
		if sel.matches, err = s.walk(ctx, fmt.Sprintf(searchWalkSQL, where, len(args)), args); err != nil {
			return nil, err
		}
		sel.complete = len(sel.matches) <= limit
		if selected := statusesOf(f); sel.complete && len(selected) == 1 {
			p.Counts[selected[0]] = int64(len(sel.matches))
		}
	}
	p.TotalElements, p.TotalExact = int64(min(len(sel.matches), limit)), sel.complete
	if !sel.covers(f, int64(f.Page)*int64(f.Size)) {
		return nil, nil
	}
	return sel, nil
}

// walk runs a search walk: id and status per row.
func (s *Service) walk(ctx context.Context, q string, args []any) ([]match, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search customers: %w", err)
	}
	defer rows.Close()
	var out []match
	for rows.Next() {
		var m match
		if err := rows.Scan(&m.id, &m.status); err != nil {
			return nil, fmt.Errorf("search customers: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search customers: %w", err)
	}
	return out, nil
}

// rowsByIDSQL reads a page whose ids a search's walk found, in list order.
const rowsByIDSQL = `SELECT ` + listColumns + ` FROM customers WHERE id = ANY($1) ORDER BY updated_at DESC, id DESC`

// rowsByID reads the customers of a page by id (a prepared statement).
func (s *Service) rowsByID(ctx context.Context, ids []int64) ([]customerRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := queryCustomers(ctx, s.prepared(nil), true, rowsByIDSQL, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	return rows, nil
}

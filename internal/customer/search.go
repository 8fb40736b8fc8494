package customer

import (
	"context"
	"fmt"
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

// searchPage is what a search's walk found for the statuses the list shows:
// how many matches they have (all of them when complete) and the ids of the
// page asked for, one row long (to tell hasNext).
type searchPage struct {
	selected int64
	page     []int64
	complete bool
}

// ids is the page at offset, one row long, from the walk.
func (sp *searchPage) ids(Filter, int64) []int64 { return sp.page }

// covers tells whether the walk found the page at offset of the default sort.
func (sp *searchPage) covers(f Filter, offset int64) bool {
	return f.Sort == SortUpdated && (sp.complete || offset+int64(f.Size)+1 <= sp.selected)
}

// searchWalkSQL reads a search's matches newest first and hands back, in one
// row, what the list needs of them: the count of each status (statusCounts),
// how many of them have a shown status, and the ids of the page asked for
// among those (an array slice, 1-based). For a common term the walk is an
// index-only walk of customers_updated_cover_idx that stops at the limit; for
// a rare one the trigram (or grams) index and a sort of its few matches. It is
// planned for its term each time, never prepared. Its arguments end with the
// shown statuses (NULL: all), the page's first and last position, the limit.
var searchWalkSQL = `SELECT ` + statusCounts + `,
       count(*) FILTER (WHERE $%[2]d::customer_status[] IS NULL OR status = ANY($%[2]d)),
       (array_agg(id ORDER BY updated_at DESC, id DESC)
           FILTER (WHERE $%[2]d::customer_status[] IS NULL OR status = ANY($%[2]d)))[$%[3]d:$%[4]d]%[6]s
FROM (SELECT id, status, updated_at FROM customers%[1]s ORDER BY updated_at DESC, id DESC LIMIT $%[5]d) w`

// statusCounts counts the walk's matches of each status, in Statuses' order.
var statusCounts = func() string {
	cols := make([]string, len(Statuses))
	for i, st := range Statuses {
		cols[i] = fmt.Sprintf("count(*) FILTER (WHERE status = '%s')", st)
	}
	return strings.Join(cols, ", ")
}()

// mineCountCol adds the Mine count to the first walk's row, saving a round
// trip on every search.
const mineCountCol = `,
       (SELECT count(*) FROM (SELECT 1 FROM customers WHERE assignee_id = $%d LIMIT $%d) m)`

// search fills the totals and tab counts of a search and the Mine count of
// the person me (0: nobody). It returns the page's ids when the walk found
// the page asked for, nil when the page must be searched for.
func (s *Service) search(ctx context.Context, f Filter, p *Page, me int64) (*searchPage, error) {
	limit := s.opts.SearchCountLimit
	offset := int64(f.Page) * int64(f.Size)
	all := f
	all.Statuses = nil // the tabs count every status
	where, args := all.where()
	var shown []string // nil: every status is shown
	if len(f.Statuses) > 0 {
		shown = statusStrings(f.Statuses)
	}
	w, err := s.walk(ctx, where, args, shown, offset, f.Size, limit, me)
	if err != nil {
		return nil, err
	}
	p.Counts, p.Queues.Mine = w.counts, w.mine
	var seen int64
	for _, n := range p.Counts {
		seen += n
	}
	p.CountsExact = seen <= int64(limit)
	sel := &searchPage{selected: w.selected, page: w.page, complete: p.CountsExact}
	if !p.CountsExact && len(statusesOf(f)) < len(Statuses) {
		// The newest matches of every status hid how many the shown ones have.
		where, args := f.where()
		if w, err = s.walk(ctx, where, args, nil, offset, f.Size, limit, 0); err != nil {
			return nil, err
		}
		sel = &searchPage{selected: w.selected, page: w.page, complete: w.selected <= int64(limit)}
		if selected := statusesOf(f); sel.complete && len(selected) == 1 {
			p.Counts[selected[0]] = w.selected
		}
	}
	p.TotalElements, p.TotalExact = min(sel.selected, int64(limit)), sel.complete
	if !sel.covers(f, offset) {
		return nil, nil
	}
	return sel, nil
}

// walked is what one walk found.
type walked struct {
	counts   map[Status]int64
	selected int64   // matches with a shown status
	page     []int64 // the ids of the page, one row long
	mine     int64
}

// walk runs a search walk over the customers where (with its args) selects,
// up to limit+1 of them, and reads the page of size at offset among those
// with a shown status (nil: all); me (not 0) adds the Mine count.
func (s *Service) walk(ctx context.Context, where string, args []any, shown []string, offset int64, size, limit int, me int64) (walked, error) {
	n := len(args)
	var shownArg any
	if shown != nil {
		shownArg = pq.Array(shown)
	}
	args = append(args, shownArg, offset+1, offset+int64(size)+1, limit+1)
	mine := ""
	if me != 0 {
		args = append(args, me, QueueCountLimit+1)
		mine = fmt.Sprintf(mineCountCol, n+5, n+6)
	}
	q := fmt.Sprintf(searchWalkSQL, where, n+1, n+2, n+3, n+4, mine)
	counts := make([]int64, len(Statuses))
	var w walked
	var page pq.Int64Array
	dest := make([]any, 0, len(Statuses)+3)
	for i := range counts {
		dest = append(dest, &counts[i])
	}
	dest = append(dest, &w.selected, &page)
	if me != 0 {
		dest = append(dest, &w.mine)
	}
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(dest...); err != nil {
		return w, fmt.Errorf("search customers: %w", err)
	}
	w.counts = make(map[Status]int64, len(Statuses))
	for i, st := range Statuses {
		if counts[i] > 0 {
			w.counts[st] = counts[i]
		}
	}
	w.page = page
	return w, nil
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

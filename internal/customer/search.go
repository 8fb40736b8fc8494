package customer

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
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
	if f.commonTerm && f.walk {
		// The newest-first walk finds a common term's matches at once, and
		// no index serves it better: strpos, which no index can serve,
		// keeps the walk's plan one for every term (it is prepared), and
		// tests each text a little faster than LIKE. The same customers: a
		// text holds the term exactly when it is LIKE '%term%'. Other
		// orders keep LIKE, whose trigram index may serve them better.
		add("strpos(search_text, $%d) > 0", term)
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

// gramStats is what the search knows of the customers' texts: the share of
// customers holding each of customer_search_grams' most common grams, how
// many rows that table and customers have (negative: never analysed), and a
// sample of the customers' search texts, for how common a longer term is.
type gramStats struct {
	freq      map[string]float64
	rows      float64 // customer_search_grams'
	customers float64
	sample    []string
	terms     *sync.Map // term → commonTerm's answer for this sample (at most termsKept)
	kept      *atomic.Int32
}

// gramStatsTTL is how long List reuses gramStats: the grams' shares change
// only when the table is analysed; a new sample of texts is drawn as often.
const gramStatsTTL = time.Minute

// commonMatches is how many customers a short term must match for the
// newest-first walk to beat the grams index: the walk then reads a few
// thousand index entries to find a page and the count limit, while the
// index would make PostgreSQL read and sort more rows than that.
var commonMatches = 5000.0 // a variable for the tests

// A longer term's two ways, priced in PostgreSQL's CPU (measured on 100,000
// customers, one search at a time; docs/performance.md, round 17). When a
// share f of the N customers hold the term, the newest-first walk reads about
// (limit+1)/f entries of the covering index, ~0.21 µs each; the trigram index
// finds every match and the walk sorts them (rareWalkFrom): ~600 µs to plan
// and start (measured planned per search; prepared, the start costs less, which
// leaves the line where it is to within the sample's precision), then ~1 µs
// per match. So on 100,000 customers a term held by
// 1.0 % (the walk 3.9 ms, the index 1.6) to 1.7 % (2.5 against 1.9) goes
// through the index, one held by 2.5 % or more (the walk 1.4 ms, the index
// 3.7) walks; on a million the line falls near 0.65 %.
const (
	walkEntryCost  = 0.21  // µs per covering-index entry walked
	indexMatchCost = 1.0   // µs per match the trigram index finds
	indexFixedCost = 600.0 // µs to plan and start the index's way
)

// sampleTexts is how many customers' search texts gramStats samples: a
// share of 2 % is then known to ±0.22 % (one standard deviation); the
// histogram of search_text (101 bounds) told it only to ±1 %.
const sampleTexts = 4000

// termsKept bounds how many terms' answers one sample keeps.
const termsKept = 4096

const gramStatsSQL = `
SELECT coalesce((SELECT reltuples FROM pg_class WHERE oid = 'customer_search_grams'::regclass), -1),
       coalesce((SELECT reltuples FROM pg_class WHERE oid = 'customers'::regclass), -1),
       coalesce(s.most_common_elems::text::text[], '{}'), coalesce(s.most_common_elem_freqs, '{}')
FROM (SELECT 1) one LEFT JOIN pg_stats s ON s.schemaname = current_schema()
    AND s.tablename = 'customer_search_grams' AND s.attname = 'grams'`

// sampleTextsSQL draws about $2 customers' search texts: whole pages, at
// random, a share $1 (percent) of the table's — a few hundred pages of a
// million customers, not a scan of them all.
const sampleTextsSQL = `SELECT search_text FROM customers TABLESAMPLE SYSTEM ($1) LIMIT $2`

// commonTerm tells whether q is a common term, one the newest-first walk
// finds at less cost than an index: a one- or two-letter term that more
// than commonMatches customers hold, or a longer one whose share of the
// sampled texts makes the walk the cheaper way (walkEntryCost…). A
// reference (a UUID) never is.
func (s *Service) commonTerm(ctx context.Context, q string) (bool, error) {
	term := strings.ToLower(q)
	if term == "" {
		return false, nil
	}
	if _, err := uuid.Parse(q); err == nil {
		return false, nil
	}
	st, err := s.grams.get(ctx, gramStatsTTL, time.Now(), s.readGramStats)
	if err != nil {
		return false, err
	}
	if utf8.RuneCountInString(term) <= shortTerm {
		return st.freq[term]*st.rows > commonMatches, nil
	}
	if v, ok := st.terms.Load(term); ok {
		return v.(bool), nil
	}
	hits := 0
	for _, t := range st.sample {
		if strings.Contains(t, term) {
			hits++
		}
	}
	common := false
	if hits > 0 {
		f := float64(hits) / float64(len(st.sample))
		walk := float64(s.opts.SearchCountLimit+1) / f * walkEntryCost
		index := indexFixedCost + f*st.customers*indexMatchCost
		common = walk <= index
	}
	if st.kept.Add(1) <= termsKept {
		st.terms.Store(term, common)
	}
	return common, nil
}

// readGramStats reads the grams' shares and draws a sample of the texts.
func (s *Service) readGramStats(ctx context.Context) (gramStats, error) {
	var elems pq.StringArray
	var freqs pq.Float64Array
	st := gramStats{terms: &sync.Map{}, kept: &atomic.Int32{}}
	if err := s.db.QueryRowContext(ctx, gramStatsSQL).Scan(&st.rows, &st.customers, &elems, &freqs); err != nil {
		return st, fmt.Errorf("read search statistics: %w", err)
	}
	st.freq = make(map[string]float64, len(elems))
	for i, e := range elems {
		if i < len(freqs) {
			st.freq[e] = freqs[i]
		}
	}
	if st.customers <= 0 {
		return st, nil // never analysed: no longer term is common yet
	}
	// The share of the table's pages, in percent, that holds about
	// sampleTexts rows (a quarter more: pages hold rows unevenly).
	share := min(100, 100*1.25*sampleTexts/st.customers)
	if err := sqlx.SelectContext(ctx, s.db, &st.sample, sampleTextsSQL, share, sampleTexts); err != nil {
		return st, fmt.Errorf("sample search texts: %w", err)
	}
	return st, nil
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// searchPage is what a search's walk found for the statuses the list shows:
// how many of their matches it saw, and the ids of the page asked for.
type searchPage struct {
	seen     int64         // matches of the shown statuses among the walk's
	page     []int64       // the page's ids newest first, one more to tell hasNext
	keys     []customerRow // for the API, the page's keys as the walk read them (walkKeysSQL)
	complete bool          // the walk saw every match of the shown statuses
}

// covers tells whether the walk found the page at offset of the default sort.
func (sp *searchPage) covers(f Filter, offset int64) bool {
	return f.Sort == SortUpdated && (sp.complete || offset+int64(f.Size)+1 <= sp.seen)
}

// searchWalkSQL reads a search's matches newest first, up to the count
// limit, and answers in one row: the number of matches of each status (in
// the order of Statuses), the ids of the page asked for among the matches
// of the shown statuses (from its offset, one row more than its size) and,
// when asked, the Mine count. The matches themselves never leave
// PostgreSQL: printing and scanning 201 rows cost more than the walk's sums.
// array_agg takes the walk's rows in its order (a plain aggregate over a
// sorted, limited subquery). For a common term the walk is an index-only
// walk of customers_updated_cover_idx that stops at the limit; for a rare
// one the trigram (or grams) index and a sort of its few matches. A rare
// term's walk is planned for its term each time; a common term's is
// prepared (queryConds). The count limit is written into the text, so that
// a prepared walk's plan knows how far it goes.
var searchWalkSQL = `SELECT ` + statusCounts() + `,
(array_agg(id) FILTER (WHERE status = ANY($%d::customer_status[])))[$%d::int + 1 : $%d::int + $%d::int] AS page, %s
FROM (SELECT id, status FROM %s ORDER BY updated_at DESC, id DESC LIMIT %d) w`

// The walk's rows (searchWalkSQL's FROM): a common term's straight from
// customers, so that the walk reads the covering index newest first and stops
// at the limit; a rare term's matches collected first, whole (OFFSET 0 keeps
// the planner from folding the sort and limit into that scan), so that they
// are found through the trigram index and then sorted — PostgreSQL, which
// estimates a term's share from search_text's histogram, would otherwise walk
// the covering index for a term of ~1 % and read twenty thousand entries.
const (
	commonWalkFrom = `customers%s`
	rareWalkFrom   = `(SELECT id, status, updated_at FROM customers%s OFFSET 0) m`
)

// walkKeysSQL wraps a walk (searchWalkSQL) for the API: the same row, and
// the keys of its page's customers (listKeyColumns: id, version and owner,
// newest first) read in the same statement, so the rows come from the list
// cache by version without a second round trip — and the keys are those of
// the snapshot the walk saw. An owner-less customer has 0 and two empty strings there.
const walkKeysSQL = `SELECT w.*, k.ids, k.versions, k.owners, k.emails, k.names FROM (%s) w
LEFT JOIN LATERAL (SELECT array_agg(id ORDER BY updated_at DESC, id DESC) AS ids,
    array_agg(version ORDER BY updated_at DESC, id DESC) AS versions,
    array_agg(coalesce(assignee_id, 0) ORDER BY updated_at DESC, id DESC) AS owners,
    array_agg(coalesce(email, '') ORDER BY updated_at DESC, id DESC) AS emails,
    array_agg(coalesce(name, '') ORDER BY updated_at DESC, id DESC) AS names
  FROM (SELECT ` + listKeyColumns + `, updated_at FROM customers WHERE id = ANY(w.page)) c (id, version, assignee_id, email, name, updated_at)) k ON true`

// statusCounts is the walk's count of each status, in the order of Statuses.
func statusCounts() string {
	out := make([]string, len(Statuses))
	for i, st := range Statuses {
		out[i] = fmt.Sprintf("count(*) FILTER (WHERE status = '%s')", st)
	}
	return strings.Join(out, ", ")
}

// mineCountColumn is the walk's Mine count, saving a round trip on every
// search; noMine stands in for it when nobody asks.
const (
	mineCountColumn = `(SELECT count(*) FROM (SELECT 1 FROM customers WHERE assignee_id = $%d LIMIT $%d) m)`
	noMine          = `0::bigint`
)

// search fills the totals and tab counts of a search and the Mine count of
// the person me (0: nobody). It returns the walk's page when the walk holds
// the page asked for, nil when the page must be searched for.
func (s *Service) search(ctx context.Context, f Filter, p *Page, me int64) (*searchPage, error) {
	limit := s.opts.SearchCountLimit
	offset := int64(f.Page) * int64(f.Size)
	f.walk = true
	all := f
	all.Statuses = nil // the tabs count every status
	where, args := all.where()
	q, args := walkSQL(where, args, limit, statusesOf(f), offset, f.Size, me, !f.Summary, !f.commonTerm)
	w, err := s.walk(ctx, f, q, args, !f.Summary)
	if err != nil {
		return nil, err
	}
	counts := w.counts
	p.Queues.Mine, p.Counts = w.mine, counts
	sel := &searchPage{page: w.page, keys: w.keys}
	var seen int64
	for st, n := range counts {
		seen += n
		if len(f.Statuses) == 0 || slices.Contains(f.Statuses, st) {
			sel.seen += n
		}
	}
	p.CountsExact = seen <= int64(limit)
	sel.complete = p.CountsExact
	if !p.CountsExact && len(statusesOf(f)) < len(Statuses) {
		// The newest matches of every status hid how many the shown ones have.
		where, args := f.where()
		q, args := walkSQL(where, args, limit, statusesOf(f), offset, f.Size, 0, !f.Summary, !f.commonTerm)
		shown, err := s.walk(ctx, f, q, args, !f.Summary)
		if err != nil {
			return nil, err
		}
		sel.seen, sel.page, sel.keys = 0, shown.page, shown.keys
		for _, n := range shown.counts {
			sel.seen += n
		}
		sel.complete = sel.seen <= int64(limit)
		if selected := statusesOf(f); sel.complete && len(selected) == 1 {
			p.Counts[selected[0]] = sel.seen
		}
	}
	p.TotalElements, p.TotalExact = min(sel.seen, int64(limit)), sel.complete
	if !sel.covers(f, offset) {
		return nil, nil
	}
	return sel, nil
}

// trigramsServe tells whether the trigram index can find the customers
// whose text holds term: pg_trgm takes trigrams from its words, so a run
// of three letters or digits surely gives one; a term without such a run
// may give none, and the index would then be read whole.
func trigramsServe(term string) bool {
	run := 0
	for _, r := range term {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if run++; run == 3 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// walkSQL is searchWalkSQL under where (with its args) for the page at
// offset of size rows among the statuses shown, with the Mine count of the
// person me (0: without).
func walkSQL(where string, args []any, limit int, shown []Status, offset int64, size int, me int64, keys, rare bool) (string, []any) {
	args = append(args, pq.Array(statusStrings(shown)), offset, size+1)
	n := len(args)
	mine := noMine
	if me != 0 {
		args = append(args, me, QueueCountLimit+1)
		mine = fmt.Sprintf(mineCountColumn, n+1, n+2)
	}
	from := commonWalkFrom
	if rare {
		from = rareWalkFrom
	}
	q := fmt.Sprintf(searchWalkSQL, n-2, n-1, n-1, n, mine, fmt.Sprintf(from, where), limit+1)
	if keys {
		q = fmt.Sprintf(walkKeysSQL, q)
	}
	return q, args
}

// walked is what a walk answered: the matches per status, the page's ids,
// the Mine count and, when asked (walkKeysSQL), the page's keys.
type walked struct {
	counts map[Status]int64
	page   []int64
	mine   int64
	keys   []customerRow
}

// walk runs a search walk (walkSQL); keys tells whether it reads the page's keys too.
func (s *Service) walk(ctx context.Context, f Filter, q string, args []any, keys bool) (walked, error) {
	var w walked
	n := make([]int64, len(Statuses))
	var ids, kIDs, kVersions, kOwners pq.Int64Array
	var kEmails, kNames pq.StringArray
	dest := make([]any, 0, len(n)+7)
	for i := range n {
		dest = append(dest, &n[i])
	}
	dest = append(dest, &ids, &w.mine)
	if keys {
		dest = append(dest, &kIDs, &kVersions, &kOwners, &kEmails, &kNames)
	}
	db := sqlx.QueryerContext(s.db)
	if (f.commonTerm || trigramsServe(f.Query)) && len(f.Risks) == 0 && f.Assignee == "" && !f.Overdue && !f.Review {
		// One plan for every common term: the walk; and one for every rare
		// term the trigram index serves: its matches through that index,
		// which PostgreSQL then plans once rather than in every search
		// (~0.2 ms each). Any other rare term — one or two letters, or no
		// three letters or digits in a row ("---") — is planned for its term
		// each time: the trigram index cannot serve it, which only its own
		// plan knows (a generic plan would read the whole index).
		// Only these few shapes (by status, with or without Mine, with or
		// without keys) are prepared, leaving the store's statement cache
		// (maxStatements) to the statements it holds.
		db = s.prepared(nil)
	}
	if err := queryRow(ctx, db, dest, q, args...); err != nil {
		return w, fmt.Errorf("search customers: %w", err)
	}
	w.counts = make(map[Status]int64, len(Statuses))
	for i, st := range Statuses {
		if n[i] > 0 {
			w.counts[st] = n[i]
		}
	}
	w.page = ids
	if !keys {
		return w, nil
	}
	if len(kVersions) != len(kIDs) || len(kOwners) != len(kIDs) || len(kEmails) != len(kIDs) || len(kNames) != len(kIDs) {
		return w, fmt.Errorf("search customers: the page's keys came back uneven")
	}
	w.keys = make([]customerRow, len(kIDs))
	for i, id := range kIDs {
		k := &w.keys[i]
		k.ID, k.Version = id, kVersions[i]
		if kOwners[i] != 0 { // an owner always has an e-mail; an owner-less row has neither
			k.AssigneeID = sql.NullInt64{Int64: kOwners[i], Valid: true}
			k.AssigneeEmail = sql.NullString{String: kEmails[i], Valid: true}
			k.AssigneeName = sql.NullString{String: kNames[i], Valid: true}
		}
	}
	return w, nil
}

// rowsByIDSQL reads the list page's rows whose ids a search's walk found,
// in list order (the API's come from the list cache by the walk's keys).
const rowsByIDSQL = `SELECT ` + listColumns + ` FROM customers WHERE id = ANY($1) ORDER BY updated_at DESC, id DESC`

// rowsByID reads the customers of a page a walk found: for the list page
// (f.Summary) whole by id, with their associates' count (a prepared
// statement); for the API by the walk's keys from the list cache.
func (s *Service) rowsByID(ctx context.Context, f Filter, found *searchPage) ([]customerRow, error) {
	if len(found.page) == 0 {
		return nil, nil
	}
	var rows []customerRow
	var err error
	if f.Summary {
		rows, err = queryCustomers(ctx, s.prepared(nil), true, rowsByIDSQL, pq.Array(found.page))
	} else {
		rows, err = s.rowsFromCache(ctx, found.keys)
	}
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	return rows, nil
}

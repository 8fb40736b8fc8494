package customer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
)

// Sort orders of the customers list.
const (
	SortUpdated = "updated" // most recently changed first (default)
	SortName    = "name"    // company name A–Z
)

// MaxPageSize bounds a list page.
const MaxPageSize = 100

// Filter selects a page of customers.
type Filter struct {
	Statuses []Status
	Risks    []RiskScore
	Query    string // company name, registration number, reference or associate name
	Sort     string
	Page     int // 0-based
	Size     int // default 20, at most MaxPageSize
	// Assignee narrows to one owner: "" anyone, AssignMe, AssigneeNone or a staff id.
	Assignee string
	Overdue  bool // only PENDING customers waiting longer than the review SLA
	Review   bool // only customers changed since approval (review required)
	// Summary reads the page's customers without their associates, only
	// their count (Customer.AssociateCount): what the list page shows.
	Summary bool

	assigneeID    int64     // Assignee resolved by List
	overdueBefore time.Time // the SLA cut-off, set by List
	commonTerm    bool      // a Query many customers hold, set by List (search.go)
	walk          bool      // the filter of a search's newest-first walk (search.go)
}

// Page is one page of customers with the totals the API and the tabs show.
type Page struct {
	Content       []*Customer
	Page          int
	Size          int
	TotalElements int64
	TotalPages    int
	HasNext       bool
	// TotalExact is false when a search matched more customers than the
	// service counts (Options.SearchCountLimit): TotalElements and TotalPages
	// are then lower bounds — show "200+" — while HasNext stays exact.
	TotalExact bool
	// Counts per status under the same query and risk filter (the queue tabs).
	Counts map[Status]int64
	// CountsExact is false when Counts are lower bounds, for the same reason.
	CountsExact bool
	// Queues are the "Mine" and "Overdue" tab counts (see queue.go).
	Queues Queues
	// companies are the API page's companies encoded, kept by version
	// (companiesKept); nil where AppendJSON encodes one.
	companies [][]byte
}

// JSON is the page's customers in the API's shape (AsJSON), with the
// companies' kept encodings.
func (p *Page) JSON() []JSON {
	out := make([]JSON, len(p.Content))
	for i, c := range p.Content {
		out[i] = AsJSON(c)
		if i < len(p.companies) {
			out[i].company = p.companies[i]
		}
	}
	return out
}

// Normalize checks a filter and fills defaults, naming bad fields.
func (f *Filter) Normalize() error {
	errs := apperr.FieldErrors{}
	if f.Size == 0 {
		f.Size = 20
	}
	if f.Size < 1 || f.Size > MaxPageSize {
		errs.Add("size", fmt.Sprintf("must be between 1 and %d", MaxPageSize))
	}
	if f.Page < 0 {
		errs.Add("page", "must be 0 or more")
	}
	if f.Page > 1_000_000 {
		errs.Add("page", "is too large")
	}
	switch f.Sort {
	case "":
		f.Sort = SortUpdated
	case SortUpdated, SortName, SortOldest:
	default:
		errs.Add("sort", "must be updated, name or oldest")
	}
	f.normalizeQueue(errs)
	f.Query = strings.TrimSpace(f.Query)
	if len(f.Query) > 200 {
		errs.Add("q", "must be at most 200 characters")
	}
	if !utf8.ValidString(f.Query) || strings.ContainsFunc(f.Query, unicode.IsControl) {
		errs.Add("q", "must be text without control characters")
	}
	return apperr.Invalid(errs)
}

// List returns a page of customers, each with its associates.
//
// Without a search the totals come from the maintained counters and are
// exact. With a search (q) the matches are counted only up to the service's
// SearchCountLimit: counting means reading every matching row, which a broad
// term ("ltd", "a") on a million customers makes far too slow for
// search-as-you-type. Past the limit TotalExact (and CountsExact) is false and
// TotalElements is a lower bound ("at least"), until a page reaches the last
// match; HasNext stays exact, because the page is read one row long.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) (*Page, error) {
	if err := s.require(a, access.PermRead, "read customers"); err != nil {
		return nil, err
	}
	s = s.reader(ctx)
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	p := &Page{Page: f.Page, Size: f.Size}
	now, err := s.resolveFilter(a, &f)
	if err != nil {
		return nil, err
	}
	if f.commonTerm, err = s.commonTerm(ctx, f.Query); err != nil {
		return nil, err
	}
	me := PersonID(a)
	var found *searchPage // a search's page, when its walk already found it
	switch {
	case f.Query != "":
		found, err = s.search(ctx, f, p, me)
	case !f.narrowed():
		err = s.counterTotals(ctx, f, p, me)
	default:
		if err = s.searchTotals(ctx, f, p); err == nil && me != 0 {
			p.Queues.Mine, err = s.countUpTo(ctx, mineCountSQL, me)
		}
	}
	if err == nil {
		err = s.countQueues(ctx, &f, p, now)
	}
	if err != nil {
		return nil, err
	}
	offset := int64(f.Page) * int64(f.Size)
	if p.TotalExact && offset >= p.TotalElements {
		p.Content = []*Customer{}
		p.finish(f, offset, false)
		return p, nil
	}
	var kept []time.Time
	if p.Content, kept, err = s.pageContent(ctx, f, found); err != nil {
		return nil, err
	}
	more := len(p.Content) > f.Size
	if more {
		p.Content = p.Content[:f.Size]
	}
	if !f.Summary { // a summary (the list page) shows neither associates nor requiredActions
		if err := s.attachEvidence(ctx, s.db, p.Content...); err != nil {
			return nil, err
		}
		p.companies = s.stmts.companiesKept(p.Content, kept)
	}
	p.finish(f, offset, more)
	return p, nil
}

// pageContent reads the page's customers, one more when another page
// follows; with their associates (of the page alone) unless f.Summary.
// When a search's walk found the page (found), its ids are read directly.
// Unless f.Summary it also answers when each customer's row and associates
// were kept in the list cache (attachAssociates' kept).
func (s *Service) pageContent(ctx context.Context, f Filter, found *searchPage) ([]*Customer, []time.Time, error) {
	var rows []customerRow
	var err error
	if found != nil {
		rows, err = s.rowsByID(ctx, f, found)
	} else {
		rows, err = s.pageRows(ctx, f)
	}
	if err != nil {
		return nil, nil, err
	}
	out := make([]*Customer, len(rows))
	for i := range rows {
		out[i] = rows[i].customer()
	}
	if f.Summary {
		return out, nil, nil
	}
	n := min(len(out), f.Size)
	kept := make([]time.Time, n)
	for i := range kept {
		kept[i] = rows[i].keptAt
	}
	if err := s.stmts.attachAssociates(ctx, s.prepared(nil), out[:n], kept); err != nil {
		return nil, nil, fmt.Errorf("list associates: %w", err)
	}
	for _, c := range out {
		c.AssociateCount = len(c.Company.Associates)
	}
	return out, kept, nil
}

// finish derives the page figures from the total. An inexact total becomes
// exact when this page reaches the last match, and otherwise grows to cover
// what the page has seen, so it never contradicts the content.
func (p *Page) finish(f Filter, offset int64, more bool) {
	seen := offset + int64(len(p.Content))
	switch {
	case p.TotalExact:
		p.HasNext = offset+int64(f.Size) < p.TotalElements
	case !more && (len(p.Content) > 0 || offset == 0):
		p.TotalElements, p.TotalExact = seen, true
	case more:
		p.HasNext = true
		p.TotalElements = max(p.TotalElements, seen+1)
	}
	// An empty page past the end of an inexact total says nothing new.
	p.TotalPages = int((p.TotalElements + int64(f.Size) - 1) / int64(f.Size))
}

// listSQL reads one page. The inner query picks the page's ids alone — with
// status and risk filters an index-only scan of
// customers_status_risk_updated_idx, so deep pages (OFFSET) skip rows without
// reading them — and the outer one reads just those rows. It asks for one row
// more than the page, to know whether another page follows.
func (f *Filter) listSQL() (string, []any) {
	inner, order, args := f.pageIDsSQL()
	cols := listColumns
	if !f.Summary { // the rest from the list cache, the associates' count theirs (pageRows)
		cols = listKeyColumns
	}
	if f.Query == "" {
		return `SELECT ` + cols + ` FROM customers WHERE id = ANY(ARRAY(` + inner + `))` + order, args
	}
	return `SELECT ` + cols + ` FROM (` + inner + `) page JOIN customers USING (id)` + order, args
}

// pageIDsSQL is listSQL's inner query, its order and its arguments, the
// last two of which are the LIMIT and the OFFSET.
//
// Unsearched, the query is prepared, and its LIMIT and OFFSET are sub-selects
// the planner cannot look into: it then plans every page alike and soon
// keeps one generic plan for the statement, where a visible OFFSET made it
// plan each page anew (a tenth of the database's time on the list). The rows
// are then read by primary key (id = ANY(ARRAY(…))), a plan that does not
// depend on how many ids the planner expects.
func (f *Filter) pageIDsSQL() (inner, order string, args []any) {
	where, args := f.where()
	order = ` ORDER BY updated_at DESC, id DESC`
	switch f.Sort {
	case SortName:
		order = ` ORDER BY lower(name), id`
	case SortOldest:
		order = ` ORDER BY status_since, id`
	}
	args = append(args, f.Size+1, f.Page*f.Size)
	limit := ` LIMIT $%d OFFSET $%d`
	if f.Query == "" {
		limit = ` LIMIT (SELECT $%d::int) OFFSET (SELECT $%d::int)`
	}
	inner = `SELECT id FROM customers` + where + order + fmt.Sprintf(limit, len(args)-1, len(args))
	return inner, order, args
}

// pageRows reads the page. Without a search the query is prepared: its
// shape depends on which filters are set, not on their values, and one plan
// (an index scan in list order) suits every value. A search is planned for
// its term every time: how common the term is decides the plan.
func (s *Service) pageRows(ctx context.Context, f Filter) ([]customerRow, error) {
	q, args := f.listSQL()
	db := sqlx.ExtContext(s.db)
	if f.Query == "" {
		db = s.prepared(nil)
	}
	var rows []customerRow
	var err error
	if f.Summary {
		rows, err = queryCustomers(ctx, db, true, q, args...)
	} else {
		rows, err = s.pageRowsCached(ctx, db, q, args)
	}
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	return rows, nil
}

// statusesOf is the statuses a filter selects, each once.
func statusesOf(f Filter) []Status {
	var out []Status
	for _, st := range Statuses {
		if len(f.Statuses) == 0 || slices.Contains(f.Statuses, st) {
			out = append(out, st)
		}
	}
	return out
}

// where builds the WHERE clause from fixed fragments; every value is a parameter.
func (f *Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	switch len(f.Statuses) {
	case 0:
	case 1:
		add("status = $%d", string(f.Statuses[0]))
	default:
		add("status = ANY($%d::customer_status[])", pq.Array(statusStrings(f.Statuses)))
	}
	f.riskAndQuery(add, &conds, &args)
	return whereClause(conds), args
}

func (f *Filter) riskAndQuery(add func(string, any), conds *[]string, args *[]any) {
	switch len(f.Risks) {
	case 0:
	case 1:
		add("risk_score = $%d", string(f.Risks[0]))
	default:
		add("risk_score = ANY($%d::risk_score[])", pq.Array(riskStrings(f.Risks)))
	}
	f.queueConds(add, conds)
	f.queryConds(add, conds, args)
}

const countersSQL = `SELECT status::text AS status, sum(n)::bigint AS n FROM customer_counts%s GROUP BY status`

// counterTotals fills the exact totals of an unsearched list from the
// maintained counters: a sum over a handful of rows, whatever the table size.
// The same query counts the Mine queue of the person me (0: nobody).
func (s *Service) counterTotals(ctx context.Context, f Filter, p *Page, me int64) error {
	var conds []string
	var args []any
	f.riskAndQuery(func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}, &conds, &args)
	q := fmt.Sprintf(countersSQL, whereClause(conds))
	if me != 0 {
		args = append(args, me, QueueCountLimit+1)
		q += fmt.Sprintf(mineCountRow, len(args)-1, len(args))
	}
	counts, err := s.countByStatus(ctx, s.prepared(nil), q, args)
	if err != nil {
		return err
	}
	p.Queues.Mine = counts["mine"]
	delete(counts, "mine")
	p.Counts, p.CountsExact, p.TotalExact = counts, true, true
	for _, st := range statusesOf(f) {
		p.TotalElements += counts[st]
	}
	return nil
}

// searchTotals counts a search's matches per status, reading at most
// SearchCountLimit+1 matching rows; when the list shows only some statuses
// and that was not enough, it counts those statuses alone the same way.
func (s *Service) searchTotals(ctx context.Context, f Filter, p *Page) error {
	limit := s.opts.SearchCountLimit
	var conds []string
	var args []any
	f.riskAndQuery(func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}, &conds, &args)
	args = append(args, limit+1)
	q := `SELECT status, count(*) AS n FROM (SELECT status FROM customers` + whereClause(conds) +
		fmt.Sprintf(` LIMIT $%d) m GROUP BY status`, len(args))
	counts, err := s.countByStatus(ctx, s.db, q, args)
	if err != nil {
		return err
	}
	var seen, total int64
	for _, n := range counts {
		seen += n
	}
	selected := statusesOf(f)
	for _, st := range selected {
		total += counts[st]
	}
	p.Counts, p.CountsExact = counts, seen <= int64(limit)
	switch {
	case p.CountsExact:
		p.TotalElements, p.TotalExact = total, true
		return nil
	case len(selected) == len(Statuses):
		p.TotalElements, p.TotalExact = int64(limit), false
		return nil
	}
	where, args := f.where()
	args = append(args, limit+1)
	var n int64
	q = `SELECT count(*) FROM (SELECT 1 FROM customers` + where + fmt.Sprintf(` LIMIT $%d) m`, len(args))
	if err := sqlx.GetContext(ctx, s.db, &n, q, args...); err != nil {
		return fmt.Errorf("count customers: %w", err)
	}
	p.TotalElements, p.TotalExact = min(n, int64(limit)), n <= int64(limit)
	if p.TotalExact && len(selected) == 1 {
		p.Counts[selected[0]] = n
	}
	return nil
}

// countByStatus runs q, whose rows are (status, count), into a map; the
// rows are scanned by hand, as the store's are (store.go).
func (s *Service) countByStatus(ctx context.Context, db sqlx.QueryerContext, q string, args []any) (map[Status]int64, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("count customers: %w", err)
	}
	defer rows.Close()
	out := make(map[Status]int64, len(Statuses)+1)
	var (
		st string
		n  int64
	)
	for rows.Next() {
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count customers: %w", err)
		}
		out[Status(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count customers: %w", err)
	}
	return out, nil
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// CompactCounts folds the counter deltas into one row per status and risk;
// run now and then so counting stays a handful of rows.
func CompactCounts(ctx context.Context, db *sqlx.DB) error {
	_, err := db.ExecContext(ctx, compactCountsSQL)
	return err
}

const compactCountsSQL = `
WITH lock AS (SELECT pg_try_advisory_xact_lock(727001) AS ok),
gone AS (DELETE FROM customer_counts WHERE (SELECT ok FROM lock) RETURNING status, risk_score, n)
INSERT INTO customer_counts (status, risk_score, n)
SELECT status, risk_score, sum(n) FROM gone GROUP BY status, risk_score HAVING sum(n) <> 0`

// AfterBulkLoad readies the database for the list after many customers
// arrived at once (an import, a seed): it folds the counter deltas (one per
// imported customer), lets VACUUM mark the new pages all-visible, so listing
// pages can skip rows with index-only scans, and gives the planner fresh
// statistics — until autovacuum gets there, minutes later, a freshly filled
// table looks empty to it and the list and search plans are poor.
func AfterBulkLoad(ctx context.Context, db *sqlx.DB) error {
	if err := CompactCounts(ctx, db); err != nil {
		return fmt.Errorf("compact customer counts: %w", err)
	}
	// customer_counts too: the folded deltas leave its index full of dead
	// entries that every count would otherwise step over. Each statement
	// works one table on one core: two at once keep a second core busy at
	// the end of an import instead of leaving it idle.
	return runTogether(ctx, db, 2,
		`VACUUM (ANALYZE) customers, customer_counts`,
		`ANALYZE customer_search_grams`, `ANALYZE audit_entries`, `ANALYZE associates`)
}

// runTogether runs the statements (none returning rows, none needing a
// transaction) on up to n connections at once, in the order given; the
// first error is returned once every statement under way has ended.
func runTogether(ctx context.Context, db *sqlx.DB, n int, statements ...string) error {
	next := make(chan string, len(statements))
	for _, q := range statements {
		next <- q
	}
	close(next)
	errs := make(chan error, n)
	for range n {
		go func() {
			for q := range next {
				if _, err := db.ExecContext(ctx, q); err != nil {
					errs <- fmt.Errorf("%s: %w", q, err)
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// PrepareList runs when the server starts: it folds the counter deltas left
// by imports, and analyses the customer tables if they never were (a
// database filled by an older version, or one restored without statistics).
func PrepareList(ctx context.Context, db *sqlx.DB) error {
	if err := CompactCounts(ctx, db); err != nil {
		return fmt.Errorf("compact customer counts: %w", err)
	}
	var analysed bool
	if err := db.GetContext(ctx, &analysed, analysedSQL); err != nil {
		return fmt.Errorf("read planner statistics: %w", err)
	}
	if analysed {
		return nil
	}
	if _, err := db.ExecContext(ctx, `ANALYZE customers, associates`); err != nil {
		return fmt.Errorf("analyze customers: %w", err)
	}
	return nil
}

// analysedSQL: true when the customers table has statistics or is empty.
const analysedSQL = `
SELECT EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'customers')
    OR NOT EXISTS (SELECT 1 FROM customers)`

func statusStrings(in []Status) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

func riskStrings(in []RiskScore) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

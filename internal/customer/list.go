package customer

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/auth"
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
}

// Page is one page of customers with the totals the API and the tabs show.
type Page struct {
	Content       []*Customer
	Page          int
	Size          int
	TotalElements int64
	TotalPages    int
	HasNext       bool
	// Counts per status under the same query and risk filter (the queue tabs).
	Counts map[Status]int64
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
	case SortUpdated, SortName:
	default:
		errs.Add("sort", "must be updated or name")
	}
	f.Query = strings.TrimSpace(f.Query)
	if len(f.Query) > 200 {
		errs.Add("q", "must be at most 200 characters")
	}
	return apperr.Invalid(errs)
}

// List returns a page of customers, each with its associates.
func (s *Service) List(ctx context.Context, a auth.Actor, f Filter) (*Page, error) {
	if err := s.require(a, auth.PermRead, "read customers"); err != nil {
		return nil, err
	}
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	counts, err := s.counts(ctx, f)
	if err != nil {
		return nil, err
	}
	p := &Page{Page: f.Page, Size: f.Size, Counts: counts}
	for _, st := range statusesOf(f) {
		p.TotalElements += counts[st]
	}
	p.TotalPages = int((p.TotalElements + int64(f.Size) - 1) / int64(f.Size))
	p.HasNext = int64(f.Page+1)*int64(f.Size) < p.TotalElements
	if int64(f.Page)*int64(f.Size) >= p.TotalElements {
		p.Content = []*Customer{}
		return p, nil
	}
	where, args := f.where()
	order := ` ORDER BY updated_at DESC, id DESC`
	if f.Sort == SortName {
		order = ` ORDER BY lower(name), id`
	}
	args = append(args, f.Size, f.Page*f.Size)
	q := `SELECT ` + customerColumns + ` FROM customers` + where + order +
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	var rows []customerRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	p.Content = make([]*Customer, len(rows))
	for i := range rows {
		p.Content[i] = rows[i].customer()
	}
	if err := attachAssociates(ctx, s.db, p.Content); err != nil {
		return nil, err
	}
	return p, nil
}

func statusesOf(f Filter) []Status {
	if len(f.Statuses) == 0 {
		return Statuses
	}
	return f.Statuses
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
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (f *Filter) riskAndQuery(add func(string, any), conds *[]string, args *[]any) {
	switch len(f.Risks) {
	case 0:
	case 1:
		add("risk_score = $%d", string(f.Risks[0]))
	default:
		add("risk_score = ANY($%d::risk_score[])", pq.Array(riskStrings(f.Risks)))
	}
	if f.Query == "" {
		return
	}
	like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
	if id, err := uuid.Parse(f.Query); err == nil {
		*args = append(*args, like, id)
		*conds = append(*conds, fmt.Sprintf("(search_text LIKE $%d OR reference = $%d)", len(*args)-1, len(*args)))
		return
	}
	add("search_text LIKE $%d", like)
}

const countsFastSQL = `SELECT status, sum(n)::bigint AS n FROM customer_counts %s GROUP BY status`

// counts returns the number of customers per status under the filter's
// query and risk; without a query it reads the maintained counters.
func (s *Service) counts(ctx context.Context, f Filter) (map[Status]int64, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	f.riskAndQuery(add, &conds, &args)
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	q := fmt.Sprintf(countsFastSQL, where)
	if f.Query != "" {
		q = `SELECT status, count(*) AS n FROM customers` + where + ` GROUP BY status`
	}
	var rows []struct {
		Status string `db:"status"`
		N      int64  `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, s.db, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("count customers: %w", err)
	}
	out := map[Status]int64{}
	for _, r := range rows {
		out[Status(r.Status)] = r.N
	}
	return out, nil
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

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

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

package customer

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
)

// SortOldest lists the longest-waiting first: by time in its current status.
const SortOldest = "oldest"

// AssigneeNone selects the cases nobody owns (Filter.Assignee).
const AssigneeNone = "none"

// QueueCountLimit caps the "Mine" and "Overdue" counts: each is read from an
// index, at most this many entries, so the tabs stay fast on a million
// customers; past it the tab says "10,000+".
const QueueCountLimit = 10_000

// Queues are the case-work tab counts. They do not follow the search or the
// risk filter: they are the size of the queue itself.
type Queues struct {
	Mine         int64 // cases assigned to the acting person, any status
	MineExact    bool
	Overdue      int64 // PENDING cases older than the review SLA
	OverdueExact bool
	Review       int64 // customers changed since approval ("Changed since approval")
	ReviewExact  bool
	SLA          time.Duration // the review SLA that makes a case overdue
	Now          time.Time     // when the list was read; ages count from here
}

// ReviewSLA is how long a PENDING case may wait before it is overdue.
func (s *Service) ReviewSLA() time.Duration { return s.opts.ReviewSLA }

// Now is the service's clock, so pages count ages as the service does.
func (s *Service) Now() time.Time { return s.opts.Now() }

// IsOverdue tells whether c waited longer than sla in PENDING at now.
func (c *Customer) IsOverdue(sla time.Duration, now time.Time) bool {
	return c.Status == StatusPending && now.Sub(c.StatusSince) > sla
}

// SLADeadline is when a PENDING customer becomes overdue.
func (c *Customer) SLADeadline(sla time.Duration) time.Time { return c.StatusSince.Add(sla) }

// narrowed tells whether the filter selects by a column the maintained
// status counters do not count (assignee, overdue): its totals are counted.
func (f *Filter) narrowed() bool { return f.Assignee != "" || f.Overdue || f.Review }

func (f *Filter) normalizeQueue(errs apperr.FieldErrors) {
	switch f.Assignee {
	case "", AssignMe, AssigneeNone:
	default:
		if id, err := strconv.ParseInt(f.Assignee, 10, 64); err != nil || id <= 0 {
			errs.Add("assignee", "must be me, none or a staff id")
		}
	}
}

// countQueues fills the page's queue tabs: the Mine count List has read
// (p.Queues.Mine), and the two counts every user shares, reused for
// QueueCountTTL.
func (s *Service) countQueues(ctx context.Context, f *Filter, p *Page, now time.Time) error {
	q := &p.Queues
	q.SLA, q.Now = s.opts.ReviewSLA, now
	shared, err := s.queues.get(ctx, s.opts.QueueCountTTL, now, func(ctx context.Context) (queueCounts, error) {
		overdue, err := s.countUpTo(ctx, overdueCountSQL, f.overdueBefore)
		if err != nil {
			return queueCounts{}, err
		}
		var review int64
		if err := sqlx.GetContext(ctx, s.prepared(nil), &review, reviewCountSQL, QueueCountLimit+1); err != nil {
			return queueCounts{}, fmt.Errorf("count queue: %w", err)
		}
		return queueCounts{overdue, review}, nil
	})
	if err != nil {
		return err
	}
	q.Overdue, q.Review = shared.overdue, shared.review
	q.ReviewExact, q.Review = q.Review <= QueueCountLimit, min(q.Review, QueueCountLimit)
	q.MineExact, q.OverdueExact = q.Mine <= QueueCountLimit, q.Overdue <= QueueCountLimit
	q.Mine, q.Overdue = min(q.Mine, QueueCountLimit), min(q.Overdue, QueueCountLimit)
	return nil
}

// resolveFilter fixes the filter's assignee and SLA cut-off; it returns the
// time the cut-off counts from.
func (s *Service) resolveFilter(a access.Actor, f *Filter) (time.Time, error) {
	now := s.opts.Now()
	f.overdueBefore = now.Add(-s.opts.ReviewSLA)
	switch f.Assignee {
	case AssignMe:
		me := PersonID(a)
		if me == 0 {
			return now, apperr.Invalid(apperr.FieldErrors{"assignee": {"a service key owns no cases: use a staff id"}})
		}
		f.assigneeID = me
	case "", AssigneeNone:
	default:
		f.assigneeID, _ = strconv.ParseInt(f.Assignee, 10, 64)
	}
	return now, nil
}

// The queue counts read at most QueueCountLimit+1 index entries
// (customers_assignee_updated_idx, customers_status_since_idx).
const (
	mineCountSQL = `SELECT count(*) FROM (SELECT 1 FROM customers WHERE assignee_id = $1 LIMIT $2) m`
	// mineCountRow adds the Mine count to the counters' query as a row of
	// its own ("mine" is no status), saving a round trip on every list page.
	mineCountRow    = ` UNION ALL SELECT 'mine', count(*) FROM (SELECT 1 FROM customers WHERE assignee_id = $%d LIMIT $%d) m`
	overdueCountSQL = `SELECT count(*) FROM (SELECT 1 FROM customers WHERE status = 'PENDING' AND status_since < $1 LIMIT $2) m`
	// "Changed since approval" reads the partial index customers_review_required_idx.
	reviewCountSQL = `SELECT count(*) FROM (SELECT 1 FROM customers WHERE review_required LIMIT $1) m`
)

func (s *Service) countUpTo(ctx context.Context, q string, arg any) (int64, error) {
	var n int64
	if err := sqlx.GetContext(ctx, s.prepared(nil), &n, q, arg, QueueCountLimit+1); err != nil {
		return 0, fmt.Errorf("count queue: %w", err)
	}
	return n, nil
}

// queueConds adds the assignee and overdue conditions of the filter.
func (f *Filter) queueConds(add func(string, any), conds *[]string) {
	switch {
	case f.Assignee == AssigneeNone:
		*conds = append(*conds, "assignee_id IS NULL")
	case f.assigneeID != 0:
		add("assignee_id = $%d", f.assigneeID)
	}
	if f.Review {
		*conds = append(*conds, "review_required")
	}
	if f.Overdue {
		add("status = 'PENDING' AND status_since < $%d", f.overdueBefore)
	}
}

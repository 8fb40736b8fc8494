package customerlistview

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/views/components"
)

// Query is the list's state as it stands in the URL: ?q=&status=&risk=&sort=&page=.
// Page is 1-based here, for people; the service's Filter is 0-based like the API.
type Query struct {
	Q        string
	Status   string // "" means all
	Risk     string
	Sort     string // "updated", "name" or "oldest"; DefaultSort when not in the URL
	Page     int
	Assignee string // "" anyone, "me", "none" or a staff id
	Overdue  bool   // only PENDING cases past the review SLA
	Review   bool   // only customers changed since approval
}

// DefaultSort is the sort a queue has when the URL names none: the pending
// and overdue queues show the longest-waiting case first, the others the
// latest change.
func (q Query) DefaultSort() string {
	if q.Status == string(customer.StatusPending) || q.Overdue {
		return customer.SortOldest
	}
	return customer.SortUpdated
}

// queue is q moved to another queue tab: search, risk and a chosen sort
// stay; the assignee and page start afresh, and a default sort becomes the
// new queue's default.
func (q Query) queue(status, assignee string, overdue bool) Query {
	chosen := q.Sort != "" && q.Sort != q.DefaultSort()
	q.Status, q.Assignee, q.Overdue, q.Review, q.Page = status, assignee, overdue, false, 1
	if !chosen {
		q.Sort = q.DefaultSort()
	}
	return q
}

// With returns a copy changed by fn.
func (q Query) With(fn func(*Query)) Query {
	fn(&q)
	return q
}

// URL is the list address for this state, leaving defaults out so links stay short.
func (q Query) URL() string {
	v := url.Values{}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.Risk != "" {
		v.Set("risk", q.Risk)
	}
	if q.Sort != "" && q.Sort != q.DefaultSort() {
		v.Set("sort", q.Sort)
	}
	if q.Assignee != "" {
		v.Set("assignee", q.Assignee)
	}
	if q.Overdue {
		v.Set("overdue", "1")
	}
	if q.Review {
		v.Set("review", "1")
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if len(v) == 0 {
		return "/customers"
	}
	return "/customers?" + v.Encode()
}

var sortOptions = []components.Option{{Value: "updated", Label: "Recently updated"}, {Value: "name", Label: "Name A–Z"},
	{Value: "oldest", Label: "Oldest in queue"}}

// assigneeOptions are the assignee filter's choices: me, nobody, then each person.
func assigneeOptions(v ListView) []components.Option {
	out := []components.Option{{Value: customer.AssignMe, Label: "Me"}, {Value: customer.AssigneeNone, Label: "Unassigned"}}
	for _, a := range v.Assignees {
		out = append(out, components.Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name})
	}
	return out
}

// tabs are the queues; each count is under the current search and risk filter.
func tabs(v ListView) []components.Tab {
	counts := map[customer.Status]int64{}
	if v.Page != nil {
		counts = v.Page.Counts
	}
	var all int64
	for _, n := range counts {
		all += n
	}
	plain := v.Query.Assignee == "" && !v.Query.Overdue && !v.Query.Review
	mk := func(label, status string, n int64) components.Tab {
		return components.Tab{Label: label, Count: int(n), AtLeast: v.Page != nil && !v.Page.CountsExact,
			Active: plain && v.Query.Status == status, URL: v.Query.queue(status, "", false).URL()}
	}
	var qs customer.Queues
	if v.Page != nil {
		qs = v.Page.Queues
	}
	return []components.Tab{
		mk("Pending", string(customer.StatusPending), counts[customer.StatusPending]),
		mk("Verified", string(customer.StatusVerified), counts[customer.StatusVerified]),
		mk("Rejected", string(customer.StatusRejected), counts[customer.StatusRejected]),
		mk("All", "", all),
		{Label: "Mine", Count: int(qs.Mine), AtLeast: !qs.MineExact, TestID: "tab-mine",
			Active: v.Query.Assignee == customer.AssignMe && v.Query.Status == "" && !v.Query.Overdue && !v.Query.Review,
			URL:    v.Query.queue("", customer.AssignMe, false).URL()},
		{Label: "Overdue", Count: int(qs.Overdue), AtLeast: !qs.OverdueExact, TestID: "tab-overdue",
			Active: v.Query.Overdue && v.Query.Assignee == "" && v.Query.Status == string(customer.StatusPending) && !v.Query.Review,
			URL:    v.Query.queue(string(customer.StatusPending), "", true).URL()},
		{Label: "Changed since approval", Count: int(qs.Review), AtLeast: !qs.ReviewExact, TestID: "tab-review",
			Active: v.Query.Review && v.Query.Assignee == "" && v.Query.Status == "" && !v.Query.Overdue,
			URL:    v.Query.queue("", "", false).With(func(q *Query) { q.Review = true }).URL()},
	}
}

// Age is how long a customer has been in its status, as people say it: "3 d 4 h", "5 h 12 min", "7 min".
func Age(since, now time.Time) string {
	d := now.Sub(since)
	if d < time.Minute {
		return "< 1 min"
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%d d %d h", days, hours)
	case hours > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	}
	return fmt.Sprintf("%d min", mins)
}

func pageLinks(v ListView) components.PageLinks {
	p := v.Page
	from := p.Page*p.Size + 1
	to := from + len(p.Content) - 1
	l := components.PageLinks{From: from, To: to, Total: int(p.TotalElements), AtLeast: !p.TotalExact}
	if p.Page > 0 {
		l.PrevURL = v.Query.With(func(q *Query) { q.Page = p.Page }).URL()
	}
	if p.HasNext {
		l.NextURL = v.Query.With(func(q *Query) { q.Page = p.Page + 2 }).URL()
	}
	return l
}

func caption(v ListView) string {
	s := "Customers"
	if v.Query.Status != "" {
		s += ", status " + v.Query.Status
	}
	if v.Query.Q != "" {
		s += fmt.Sprintf(", matching %q", v.Query.Q)
	}
	return s
}

// CSVURL is the CSV export of the view (every page of it).
func CSVURL(q Query) string { return "/customers.csv" + viewQuery(q) }

// bulkURL is where the bulk form posts: its query is the view, which "all matching" applies.
func bulkURL(q Query) string { return "/customers/bulk" + viewQuery(q) }

// viewQuery is the view's query string ("?status=PENDING"), without the page.
func viewQuery(q Query) string {
	q.Page = 1
	return strings.TrimPrefix(q.URL(), "/customers")
}

// allMatching words the "all N matching" choice.
func allMatching(v ListView) string {
	if v.Page == nil {
		return "All matching this view"
	}
	n := strconv.FormatInt(v.Page.TotalElements, 10)
	if !v.Page.TotalExact {
		n += "+"
	}
	return "All " + n + " matching this view"
}

// bulkAssignees are the bulk assignee choices: me, nobody, then (admins) each person.
func bulkAssignees(v ListView) []components.Option {
	out := []components.Option{{Value: customer.AssignMe, Label: "Me"}, {Value: "none", Label: "Nobody (unassign)"}}
	if v.Bulk.CanAssignTo {
		for _, a := range v.Assignees {
			out = append(out, components.Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name})
		}
	}
	return out
}

func bulkTitle(v BulkView) string {
	if v.Action == customer.BulkReject {
		return "Bulk reject"
	}
	return "Bulk assign"
}

func bulkSummary(v BulkView) string {
	ok := 0
	for _, r := range v.Results {
		if r.OK {
			ok++
		}
	}
	return fmt.Sprintf("%d of %d done, %d refused. Each customer was changed on its own, with its own history entry.",
		ok, len(v.Results), len(v.Results)-ok)
}

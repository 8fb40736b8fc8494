package customerlistview

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/views/components"
)

// Query is the list's state as it stands in the URL: ?q=&status=&risk=&sort=&page=.
// Page is 1-based here, for people; the service's Filter is 0-based like the API.
type Query struct {
	Q      string
	Status string // "" means all
	Risk   string
	Sort   string // "updated" (default) or "name"
	Page   int
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
	if q.Sort != "" && q.Sort != customer.SortUpdated {
		v.Set("sort", q.Sort)
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if len(v) == 0 {
		return "/customers"
	}
	return "/customers?" + v.Encode()
}

var sortOptions = []components.Option{{Value: "updated", Label: "Recently updated"}, {Value: "name", Label: "Name A–Z"}}

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
	mk := func(label, status string, n int64) components.Tab {
		return components.Tab{Label: label, Count: int(n), AtLeast: v.Page != nil && !v.Page.CountsExact, Active: v.Query.Status == status,
			URL: v.Query.With(func(q *Query) { q.Status, q.Page = status, 1 }).URL()}
	}
	return []components.Tab{
		mk("Pending", string(customer.StatusPending), counts[customer.StatusPending]),
		mk("Verified", string(customer.StatusVerified), counts[customer.StatusVerified]),
		mk("Rejected", string(customer.StatusRejected), counts[customer.StatusRejected]),
		mk("All", "", all),
	}
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

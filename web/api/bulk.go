package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

// bulkInput is the body of POST /customers/bulk: an action and either the
// customers (each with the version read, optional) or a filter of the list
// (every matching customer, at most customer.MaxBulk).
type bulkInput struct {
	Action    string          `json:"action"`
	Assignee  json.RawMessage `json:"assignee"`
	Reason    string          `json:"reason"`
	Customers []bulkCustomer  `json:"customers"`
	Filter    *bulkFilter     `json:"filter"`
}

type bulkCustomer struct {
	Reference string `json:"reference"`
	Version   int    `json:"version"`
}

// bulkFilter has the names and meanings of GET /customers' query.
type bulkFilter struct {
	Status         []string `json:"status"`
	RiskScore      []string `json:"riskScore"`
	Q              string   `json:"q"`
	Assignee       string   `json:"assignee"`
	Overdue        bool     `json:"overdue"`
	ReviewRequired bool     `json:"reviewRequired"`
}

// query is the filter as GET /customers' query, read by the same code.
func (f *bulkFilter) query() url.Values {
	q := url.Values{"status": f.Status, "riskScore": f.RiskScore}
	q.Set("q", f.Q)
	q.Set("assignee", f.Assignee)
	q.Set("overdue", strconv.FormatBool(f.Overdue))
	q.Set("reviewRequired", strconv.FormatBool(f.ReviewRequired))
	return q
}

type bulkResultJSON struct {
	Reference uuid.UUID `json:"reference"`
	Name      *string   `json:"name"`
	OK        bool      `json:"ok"`
	Code      *string   `json:"code"`
	Message   string    `json:"message"`
}

type bulkResponse struct {
	Results   []bulkResultJSON `json:"results"`
	Succeeded int              `json:"succeeded"`
	Refused   int              `json:"refused"`
}

// handleCustomerBulk applies one action (assign or reject) to many
// customers, each in its own transaction with its own audit entry, through
// the service's Bulk (the list page's bulk bar): 200 with each customer's
// outcome; a refusal of one leaves the others done.
func (h handlers) handleCustomerBulk(c echo.Context) error {
	var in bulkInput
	if _, err := readJSON(c, &in); err != nil {
		return err
	}
	act := customer.BulkAction{Kind: in.Action, Reason: strings.TrimSpace(in.Reason)}
	if in.Action == customer.BulkAssign {
		who, err := assigneeInput{Assignee: in.Assignee}.who()
		if err != nil {
			return err
		}
		act.Assignee = who
	}
	items, err := h.bulkItems(c, in)
	if err != nil {
		return err
	}
	results, err := h.Customers.Bulk(c.Request().Context(), actorOf(c), items, act)
	if e, ok := apperr.As(err); ok && e.Fields["selected"] != nil {
		e.Fields["customers"] = e.Fields["selected"] // the service names the page's field
		delete(e.Fields, "selected")
	}
	if err != nil {
		return err
	}
	res := bulkResponse{Results: make([]bulkResultJSON, 0, len(results))}
	for _, r := range results {
		j := bulkResultJSON{Reference: r.Reference, OK: r.OK, Message: r.Message}
		if r.Name != "" {
			j.Name = &r.Name
		}
		if r.OK {
			res.Succeeded++
		} else {
			res.Refused++
			code := r.Code
			j.Code = &code
		}
		res.Results = append(res.Results, j)
	}
	return c.JSON(http.StatusOK, res)
}

// bulkItems is the selection of the body: the customers named, or every
// customer of the filter; exactly one of the two.
func (h handlers) bulkItems(c echo.Context, in bulkInput) ([]customer.BulkItem, error) {
	if (in.Filter == nil) == (in.Customers == nil) {
		return nil, apperr.Invalid(apperr.FieldErrors{"customers": {"give either customers or filter"}})
	}
	if in.Filter == nil {
		errs := apperr.FieldErrors{}
		items := make([]customer.BulkItem, len(in.Customers))
		for i, x := range in.Customers {
			ref, err := uuid.Parse(x.Reference)
			if err != nil {
				errs.Add("customers["+strconv.Itoa(i)+"].reference", "must be a customer reference (a UUID)")
			}
			if x.Version < 0 {
				errs.Add("customers["+strconv.Itoa(i)+"].version", "must be a version read from the customer (1 or more)")
			}
			items[i] = customer.BulkItem{Reference: ref, Version: x.Version}
		}
		return items, apperr.Invalid(errs)
	}
	f, err := filterFromQuery(in.Filter.query())
	if err != nil {
		return nil, err
	}
	refs, err := h.Customers.MatchingRefs(c.Request().Context(), actorOf(c), f, customer.MaxBulk)
	if err != nil {
		return nil, err
	}
	if len(refs) > customer.MaxBulk {
		return nil, apperr.Invalid(apperr.FieldErrors{"filter": {"matches more than " + strconv.Itoa(customer.MaxBulk) +
			" customers; narrow it down (at most " + strconv.Itoa(customer.MaxBulk) + " at once)"}})
	}
	items := make([]customer.BulkItem, len(refs))
	for i, r := range refs {
		items[i] = customer.BulkItem{Reference: r}
	}
	return items, nil
}

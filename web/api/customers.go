package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
)

func (h handlers) handleCustomerGet(c echo.Context) error {
	ref, err := reference(c)
	if err != nil {
		return err
	}
	j, err := h.Customers.GetCachedJSON(c.Request().Context(), actorOf(c), ref)
	if err != nil {
		return err
	}
	etag := j.ETag()
	c.Response().Header()["Etag"] = []string{etag} // "ETag", canonical
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && etagListHas(inm, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return writeCustomerJSON(c, http.StatusOK, j)
}

func etagListHas(list, tag string) bool {
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimPrefix(strings.TrimSpace(p), "W/")
		if p == tag || p == "*" {
			return true
		}
	}
	return false
}

func (h handlers) handleCustomerUpdate(c echo.Context) error {
	ref, err := reference(c)
	if err != nil {
		return err
	}
	var up customer.DetailsUpdate
	if _, err := readJSON(c, &up); err != nil {
		return err
	}
	cu, err := h.Customers.Update(c.Request().Context(), actorOf(c), ref, up, ifMatch(c))
	if err != nil {
		return err
	}
	return writeCustomer(c, http.StatusOK, cu)
}

func (h handlers) handleCustomerStatus(c echo.Context) error {
	ref, err := reference(c)
	if err != nil {
		return err
	}
	var in customer.StatusChange
	if _, err := readJSON(c, &in); err != nil {
		return err
	}
	cu, err := h.Customers.SetStatus(c.Request().Context(), actorOf(c), ref, in, ifMatch(c), false)
	if err != nil {
		return err
	}
	return writeCustomer(c, http.StatusOK, cu)
}

func (h handlers) handleCustomerAssociates(c echo.Context) error {
	ref, err := reference(c)
	if err != nil {
		return err
	}
	var in customer.AssociatesInput
	if _, err := readJSON(c, &in); err != nil {
		return err
	}
	cu, err := h.Customers.ReplaceAssociates(c.Request().Context(), actorOf(c), ref, in, ifMatch(c))
	if err != nil {
		return err
	}
	return writeCustomer(c, http.StatusOK, cu)
}

func (h handlers) handleCustomerCreate(c echo.Context) error {
	var in customer.CreateInput
	body, err := readJSON(c, &in)
	if err != nil {
		return err
	}
	var idem *customer.Idempotency
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" {
		key = c.Request().Header.Get("X-Idempotency-Key")
	}
	if key != "" {
		idem = &customer.Idempotency{Key: key, Body: body}
	}
	cu, replayed, err := h.Customers.Create(c.Request().Context(), actorOf(c), in, idem)
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set(echo.HeaderLocation, "/platform/v1/customers/"+cu.Reference.String())
	return writeCustomer(c, http.StatusCreated, cu)
}

// listResponse is the page shape of GET /customers.
type listResponse struct {
	Content       []customer.JSON `json:"content"`
	Page          int             `json:"page"`
	Size          int             `json:"size"`
	TotalElements int64           `json:"totalElements"`
	TotalPages    int             `json:"totalPages"`
	HasNext       bool            `json:"hasNext"`
	// TotalExact is false when a search matched more customers than are
	// counted: totalElements (and totalPages) are then lower bounds.
	TotalExact bool `json:"totalExact"`
}

func (h handlers) handleCustomerList(c echo.Context) error {
	f, err := filterFromQuery(c.QueryParams())
	if err != nil {
		return err
	}
	p, err := h.Customers.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return writeList(c, listResponse{Content: p.JSON(), Page: p.Page, Size: p.Size,
		TotalElements: p.TotalElements, TotalPages: p.TotalPages, HasNext: p.HasNext, TotalExact: p.TotalExact})
}

// filterFromQuery reads status (repeatable or comma-separated), riskScore
// (likewise), q, sort, page and size; bad values name their parameter.
func filterFromQuery(qs url.Values) (customer.Filter, error) {
	errs := apperr.FieldErrors{}
	var f customer.Filter
	for _, s := range splitAll(qs["status"]) {
		st, ok := customer.ParseStatus(strings.ToUpper(s))
		if !ok {
			errs.Add("status", "must be PENDING, VERIFIED or REJECTED")
			continue
		}
		f.Statuses = append(f.Statuses, st)
	}
	for _, s := range splitAll(qs["riskScore"]) {
		switch r := customer.RiskScore(strings.ToUpper(s)); r {
		case customer.RiskLow, customer.RiskMedium, customer.RiskHigh:
			f.Risks = append(f.Risks, r)
		default:
			errs.Add("riskScore", "must be LOW, MEDIUM or HIGH")
		}
	}
	f.Query = qs.Get("q")
	f.Sort = qs.Get("sort")
	f.Assignee = qs.Get("assignee")
	if v := qs.Get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs.Add("overdue", "must be true or false")
		}
		f.Overdue = b
	}
	if v := qs.Get("reviewRequired"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs.Add("reviewRequired", "must be true or false")
		}
		f.Review = b
	}
	f.Page = intParam(errs, qs.Get("page"), "page")
	f.Size = intParam(errs, qs.Get("size"), "size")
	if err := apperr.Invalid(errs); err != nil {
		return f, err
	}
	return f, f.Normalize()
}

func splitAll(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func intParam(errs apperr.FieldErrors, s, name string) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		errs.Add(name, "must be a whole number")
	}
	return n
}

func (h handlers) handleCustomerHistory(c echo.Context) error {
	ref, err := reference(c)
	if err != nil {
		return err
	}
	errs := apperr.FieldErrors{}
	size := keysetSize(c, errs, 200)
	before := intParam(errs, c.QueryParam("before"), "before")
	if err := apperr.Invalid(errs); err != nil {
		return err
	}
	entries, err := h.Customers.History(c.Request().Context(), actorOf(c), ref, int64(before), size+1)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(entries, size, func(e audit.Entry) int64 { return e.ID }, same[audit.Entry]))
}

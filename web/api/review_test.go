package api_test

import (
	"context"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
)

// verifiedCustomer is a customer created by officer and approved by admin2.
func (k *caseAPI) verifiedCustomer() *customer.Customer {
	k.t.Helper()
	c := k.site.NewCustomer("officer", "")
	if _, err := k.site.Customers.SetStatus(context.Background(), k.site.Actor("admin2"), c.Reference,
		customer.StatusChange{Status: "VERIFIED"}, nil, false); err != nil {
		k.t.Fatal(err)
	}
	return c
}

func actionCodes(m map[string]any) []string {
	list, _ := m["requiredActions"].([]any)
	out := []string{}
	for _, a := range list {
		p, _ := a.(map[string]any)
		out = append(out, p["code"].(string))
	}
	return out
}

func TestAPIReview(t *testing.T) {
	k := newCaseAPI(t)
	t.Run("OK_PendingListsUnmetConditions", func(t *testing.T) {
		c := k.site.NewCustomer("officer", `{"riskScore": "LOW", "company": {"name": "Empty Co", "taxResidenceCountryCode": "US",
			"registrationNumber": "1", "address": {"addressLine1": "1 St", "city": "NY", "postalCode": "1", "countryCode": "US"}}}`)
		st, _, m := k.do("GET", "/platform/v1/customers/"+c.Reference.String(), "viewer", "")
		codes := actionCodes(m)
		if st != 200 || m["reviewRequired"] != false || len(codes) != 2 || codes[0] != "no_associates" || codes[1] != "no_control" {
			t.Fatalf("%d %v %v", st, m["reviewRequired"], m["requiredActions"])
		}
	})
	c := k.verifiedCustomer()
	path := "/platform/v1/customers/" + c.Reference.String()
	t.Run("OK_VerifiedHasNone", func(t *testing.T) {
		st, _, m := k.do("GET", path, "viewer", "")
		if st != 200 || m["reviewRequired"] != false || len(actionCodes(m)) != 0 || m["requiredActions"] == nil {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrNotReviewRequired", func(t *testing.T) {
		st, _, m := k.do("POST", path+"/review/confirm", "admin", `{"reason": "nothing"}`)
		if st != 409 || m["code"] != "not_review_required" {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("OK_MaterialEditFlags", func(t *testing.T) {
		st, _, m := k.do("PATCH", path, "admin", `{"name": "Bond Group"}`)
		codes := actionCodes(m)
		if st != 200 || m["status"] != "VERIFIED" || m["reviewRequired"] != true || len(codes) != 1 || codes[0] != "review_required" {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrForbiddenForOfficer", func(t *testing.T) {
		if st, _, m := k.do("POST", path+"/review/confirm", "officer", `{"reason": "x"}`); st != 403 {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrStrictJSON", func(t *testing.T) {
		if st, _, m := k.do("POST", path+"/review/confirm", "service", `{"reason": "x", "extra": 1}`); st != 400 && st != 422 {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrFourEyes", func(t *testing.T) {
		st, _, m := k.do("POST", path+"/review/confirm", "admin", `{"reason": "my own"}`)
		if st != 409 || m["code"] != "four_eyes" {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("ErrStaleIfMatch", func(t *testing.T) {
		if st, _, m := k.do("POST", path+"/review/confirm", "service", `{"reason": "x"}`, "If-Match", `"v1"`); st != 412 {
			t.Fatalf("%d %v", st, m)
		}
	})
	t.Run("OK_OtherAdminConfirms", func(t *testing.T) {
		_, h, _ := k.do("GET", path, "viewer", "")
		st, _, m := k.do("POST", path+"/review/confirm", "service", `{"reason": "Registry checked"}`, "If-Match", h.Get("ETag"))
		if st != 200 || m["reviewRequired"] != false || m["status"] != "VERIFIED" || len(actionCodes(m)) != 0 {
			t.Fatalf("%d %v", st, m)
		}
	})
}

// TestAPIReviewList: the list's items carry the added fields, and
// reviewRequired=true is the "Changed since approval" queue.
func TestAPIReviewList(t *testing.T) {
	k := newCaseAPI(t)
	c := k.verifiedCustomer()
	k.verifiedCustomer()
	if st, _, m := k.do("PATCH", "/platform/v1/customers/"+c.Reference.String(), "officer", `{"registrationNumber": "NEW-1"}`); st != 200 {
		t.Fatalf("%d %v", st, m)
	}
	st, _, m := k.do("GET", "/platform/v1/customers?reviewRequired=true", "viewer", "")
	list, _ := m["content"].([]any)
	if st != 200 || len(list) != 1 {
		t.Fatalf("%d %v", st, m)
	}
	item := list[0].(map[string]any)
	if item["reference"] != c.Reference.String() || item["reviewRequired"] != true || len(actionCodes(item)) != 1 {
		t.Fatalf("item %v", item)
	}
	if st, _, _ := k.do("GET", "/platform/v1/customers?reviewRequired=maybe", "viewer", ""); st != 400 {
		t.Fatalf("bad flag: %d", st)
	}
}

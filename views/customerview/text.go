package customerview

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/validate"
)

func detailsURL(c *customer.Customer) string {
	return "/customers/" + c.Reference.String() + "/details"
}
func statusPostURL(c *customer.Customer) string {
	return "/customers/" + c.Reference.String() + "/status"
}
func statusURL(c *customer.Customer, to customer.Status) string {
	return statusPostURL(c) + "?to=" + string(to)
}
func dialogID(to customer.Status) string { return "status-dialog-" + strings.ToLower(string(to)) }
func itoa(n int) string                  { return strconv.Itoa(n) }
func int64Text(n int64) string           { return strconv.FormatInt(n, 10) }

func countryText(code string) string {
	if name, ok := validate.CountryName(code); ok {
		return name + " (" + code + ")"
	}
	return code
}

func moveText(c *customer.Customer, to customer.Status) string {
	switch to {
	case customer.StatusVerified:
		return "Approve the verification of " + c.Company.Name + ". The status becomes Verified."
	case customer.StatusRejected:
		return "Reject " + c.Company.Name + ". The status becomes Rejected; it can be reopened later."
	default:
		return "Reopen " + c.Company.Name + " for review. The status becomes Pending."
	}
}

func reasonLabel(c *customer.Customer, to customer.Status) string {
	if customer.ReasonRequired(c.Status, to) {
		return "Reason"
	}
	return "Reason (optional)"
}

// MoveName is the word for a status move, on its button and in page titles.
func MoveName(to customer.Status) string {
	switch to {
	case customer.StatusVerified:
		return "Approve"
	case customer.StatusRejected:
		return "Reject"
	}
	return "Reopen"
}

func submitClass(to customer.Status) string {
	switch to {
	case customer.StatusVerified:
		return "btn btn-primary"
	case customer.StatusRejected:
		return "btn btn-danger"
	}
	return "btn btn-primary"
}

func actionText(action string) string {
	switch action {
	case audit.ActionCustomerCreate:
		return "Created"
	case audit.ActionCustomerImport:
		return "Imported"
	case audit.ActionCustomerUpdate:
		return "Details changed"
	case audit.ActionCustomerAssociates:
		return "Associates changed"
	case audit.ActionCustomerStatus:
		return "Status changed"
	case customer.ActionCustomerAssign:
		return "Assignee changed"
	case customer.ActionCustomerReviewConfirm:
		return "Verification confirmed"
	}
	return action
}

func who(e audit.Entry) string {
	switch e.ActorType {
	case access.ActorAPIKey:
		return "API key " + e.ActorName
	case access.ActorSystem:
		return "Verity (" + e.ActorName + ")"
	}
	if e.ActorName == "" {
		return "unknown"
	}
	return e.ActorName
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// manyChanges folds the long change lists of a creation or import (every
// field, from nothing) behind a disclosure; real changes stay open.
func manyChanges(e audit.Entry) bool {
	return (e.Action == audit.ActionCustomerCreate || e.Action == audit.ActionCustomerImport) && len(e.Changes) > 8
}

// valueText renders an audited value: text as is, nothing as "—", objects
// as compact "key: value" pairs.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		if x == "" {
			return "—"
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			if x[k] == nil {
				continue
			}
			parts = append(parts, k+": "+valueText(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

package customer

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/validate"
	"github.com/verity-kyb/verity/views/components"
)

func detailsURL(c *customer.Customer) string    { return "/customers/" + c.Reference.String() + "/details" }
func statusPostURL(c *customer.Customer) string { return "/customers/" + c.Reference.String() + "/status" }
func statusURL(c *customer.Customer, to customer.Status) string {
	return statusPostURL(c) + "?to=" + string(to)
}
func dialogID(to customer.Status) string { return "status-dialog-" + strings.ToLower(string(to)) }
func itoa(n int) string                  { return strconv.Itoa(n) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func countryText(code string) string {
	if name, ok := validate.CountryName(code); ok {
		return name + " (" + code + ")"
	}
	return code
}

func riskText(r string) string {
	switch r {
	case "LOW":
		return "Low"
	case "MEDIUM":
		return "Medium"
	case "HIGH":
		return "High"
	}
	return r
}

var riskOptions = []components.Option{{Value: "LOW", Label: "Low"}, {Value: "MEDIUM", Label: "Medium"}, {Value: "HIGH", Label: "High"}}

// countrySibling is where the service reports a country name that does not
// match its code: shown under the code's select.
func countrySibling(name string) string {
	return strings.TrimSuffix(name, "Code")
}

var detailsLabels = map[string]string{
	"company.name": "Company name", "company.registrationNumber": "Registration number",
	"company.taxResidenceCountryCode": "Tax residence country", "riskScore": "Risk",
	"company.description": "Description", "company.address": "Address",
	"company.address.addressLine1": "Address line 1", "company.address.addressLine2": "Address line 2",
	"company.address.city": "City", "company.address.postalCode": "Postal code",
	"company.address.countryCode": "Country", "company.address.country": "Country",
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

func submitText(to customer.Status) string {
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
	}
	return action
}

func who(e audit.Entry) string {
	switch e.ActorType {
	case auth.ActorAPIKey:
		return "API key " + e.ActorName
	case auth.ActorSystem:
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

var assocKey = regexp.MustCompile(`\[([0-9a-f-]{36})\]`)

// fieldText makes an audit path readable: associates are keyed by their
// reference, shown by name when the associate is still on the customer.
func fieldText(c *customer.Customer, path string) string {
	return assocKey.ReplaceAllStringFunc(path, func(m string) string {
		ref := m[1 : len(m)-1]
		for i := range c.Company.Associates {
			if a := &c.Company.Associates[i]; a.Person.Reference.String() == ref {
				return "[" + a.FullName() + "]"
			}
		}
		return "[removed associate " + ref[:8] + "]"
	})
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

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
	"github.com/verity-kyb/verity/views/components"
	"github.com/verity-kyb/verity/views/customerlistview"
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

// countryOptions is the country list; a code sent that is not on it (a
// crafted or outdated form) is kept as an option so the input is not lost.
func countryOptions(selected string) []components.Option {
	all := customerlistview.CountryOptions()
	if selected == "" {
		return all
	}
	for _, o := range all {
		if o.Value == selected {
			return all
		}
	}
	return append([]components.Option{{Value: selected, Label: selected + " (unknown code)"}}, all...)
}

// changedFieldsText names the fields a newer change touched, as the forms
// label them, an associate's field with the associate's name.
func changedFieldsText(c *customer.Customer, paths []string) string {
	seen := map[string]bool{}
	names := make([]string, 0, len(paths))
	for _, p := range paths {
		name := pathLabel(p)
		if ref, _, ok := customer.AssociateOfPath(p); ok {
			name = associateName(c, ref, "") + " — " + name
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

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

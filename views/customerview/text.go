package customerview

import (
	"encoding/json"
	"fmt"
	"regexp"
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

var assocPath = regexp.MustCompile(`^(?:company\.)?associates\[([0-9a-f-]{36})\]\.(.+)$`)

var fieldLabels = map[string]string{
	"status": "Status", "riskScore": "Risk", "name": "Company name", "description": "Description",
	"registrationNumber": "Registration number", "taxResidenceCountryCode": "Tax residence country",
	"address.addressLine1": "Address line 1", "address.addressLine2": "Address line 2", "address.city": "City",
	"address.postalCode": "Postal code", "address.countryCode": "Country code", "address.country": "Country",
	"verification.status": "Verification status", "verification.url": "Verification link",
	"person.firstName": "First name", "person.lastName": "Last name", "person.dateOfBirth": "Date of birth",
	"person.address.addressLine1": "Home address line 1", "person.address.addressLine2": "Home address line 2",
	"person.address.city": "Home city", "person.address.postalCode": "Home postal code",
	"person.address.countryCode": "Home country code", "person.address.country": "Home country",
	"details.birthCountryCode": "Birth country", "details.contactInfo.emailAddress": "E-mail",
	"details.contactInfo.phoneNumber": "Phone", "details.documentInfo.type": "Document type",
	"details.documentInfo.number": "Document number", "details.documentInfo.issuingCountryCode": "Document issued by",
	"details.taxIdentification.number": "Tax number", "details.taxIdentification.taxResidenceCountryCode": "Tax residence country",
	"title": "Title", "controls.hasOwnership": "Owner", "controls.hasControl": "Control", "controls.isSigner": "Signer",
	"position": "Position in the list",
}

// associateNames finds each associate's name for an entry: from the customer
// as it is now, else from the entry's own changes (a removed associate's old
// first and last name are in the entry that removed it).
func associateNames(c *customer.Customer, e audit.Entry) map[string]string {
	names := map[string]string{}
	for i := range c.Company.Associates {
		a := &c.Company.Associates[i]
		names[a.Person.Reference.String()] = a.FullName()
	}
	parts := map[string][2]string{}
	for _, ch := range e.Changes {
		m := assocPath.FindStringSubmatch(ch.Path)
		if m == nil || names[m[1]] != "" {
			continue
		}
		v, _ := ch.Old.(string)
		if v == "" {
			v, _ = ch.New.(string)
		}
		p := parts[m[1]]
		switch m[2] {
		case "person.firstName":
			p[0] = v
		case "person.lastName":
			p[1] = v
		}
		parts[m[1]] = p
	}
	for ref, p := range parts {
		if n := strings.TrimSpace(p[0] + " " + p[1]); n != "" {
			names[ref] = n + " (removed)"
		}
	}
	return names
}

// fieldText makes an audit path readable: "Company name", "Associate Ada
// Lovelace — E-mail"; unknown paths are shown as they are.
func fieldText(names map[string]string, path string) string {
	if m := assocPath.FindStringSubmatch(path); m != nil {
		who := names[m[1]]
		if who == "" {
			who = "associate " + m[1][:8]
		}
		label := fieldLabels[m[2]]
		if label == "" {
			label = m[2]
		}
		return who + " — " + label
	}
	if label := fieldLabels[strings.TrimPrefix(path, "company.")]; label != "" {
		return label
	}
	return path
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

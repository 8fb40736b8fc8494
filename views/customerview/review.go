package customerview

import (
	"strings"

	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
)

// reviewURL is where "Confirm verification" is asked (GET) and posted.
func reviewURL(c *customer.Customer) string {
	return "/customers/" + c.Reference.String() + "/review"
}

// reviewChangeText says one change since approval in words:
// "Company name: Bond Holdings → Bond Group", "Sean Bond: Last name: Bond → Bonde".
func reviewChangeText(c *customer.Customer, ch audit.Change) string {
	text := pathLabel(ch.Path) + ": " + valueText(ch.Old) + " → " + valueText(ch.New)
	if rest, ok := strings.CutPrefix(ch.Path, "company.associates["); ok {
		if ref, _, ok := strings.Cut(rest, "]"); ok {
			fallback := ""
			if s, isString := ch.Old.(string); isString && strings.HasSuffix(ch.Path, "person.firstName") {
				fallback = s
			}
			text = associateName(c, ref, fallback) + ": " + text
		}
	}
	return text
}

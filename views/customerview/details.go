package customerview

import (
	"strings"

	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/form"
)

// changedFieldsText names the fields a newer change touched: company fields
// by their form labels, associates' fields with the associate's name.
func changedFieldsText(c *customer.Customer, paths []string) string {
	seen := map[string]bool{}
	names := make([]string, 0, len(paths))
	for _, p := range paths {
		name := form.Label(p)
		if _, _, ok := form.RowIndex(p); ok {
			name = fieldText(associateNames(c, audit.Entry{}), p)
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

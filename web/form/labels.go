package form

import "strings"

// Label names any customer-shape path for people: "company.address.city" is
// "City", "company.associates[2].details.contactInfo.emailAddress" (or the
// history's company.associates[<reference>]…) is "E-mail" — saying which
// associate is the caller's part. A path no form knows is returned as it is.
func Label(path string) string {
	if _, rest, ok := RowIndex(path); ok {
		if rest == "" {
			return "Associate"
		}
		if l, ok := Associate.Label(rest); ok {
			return l
		}
		return rest
	}
	if l, ok := Details.Label(path); ok {
		return l
	}
	// The audit trail names company fields without "company." at times.
	if l, ok := Details.Label("company." + path); ok && !strings.HasPrefix(path, "company.") {
		return l
	}
	if path == Assignee.Path {
		return "Assignee" // customer.assign entries
	}
	return path
}

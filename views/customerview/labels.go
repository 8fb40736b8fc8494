package customerview

import "github.com/verity-kyb/verity/web/form"

// pathLabel names a customer-shape path the way the forms label it:
// "company.address.city" → "City", and an associate's field, whether the
// path holds the associate's index or its reference
// ("company.associates[0].details.contactInfo.emailAddress") → "E-mail".
// The labels are the form definitions' (web/form), so a field's label is
// written once for its input, its errors and its history.
func pathLabel(path string) string {
	if path == "reviewRequired" { // customer.review_confirm entries
		return "Review required"
	}
	return form.Label(path)
}

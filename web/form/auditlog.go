package form

import "github.com/verity-kyb/verity/internal/validate"

// AuditFilter is the audit log's filter form (a GET form: its values are the
// page's query, which the CSV export repeats).
var AuditFilter = []Spec{
	{Path: "actor", Label: "Actor", Kind: Text, MaxLength: validate.MaxEmail, Hint: "Name or e-mail."},
	{Path: "kind", Label: "Kind", Kind: Select, Empty: "Any", Choices: []Choice{
		{Value: "customer", Label: "Customers"}, {Value: "document", Label: "Documents"}, {Value: "staff", Label: "Staff accounts"},
		{Value: "apikey", Label: "API keys"}, {Value: "auth", Label: "Sign-ins and sessions"}}},
	{Path: "customer", Label: "Customer", Kind: Text, MaxLength: validate.MaxName, Hint: "Reference or name."},
	{Path: "from", Label: "From", Kind: Date, MaxLength: validate.MaxDate, Pattern: validate.DatePattern, Placeholder: "YYYY-MM-DD"},
	{Path: "to", Label: "To", Kind: Date, MaxLength: validate.MaxDate, Pattern: validate.DatePattern, Placeholder: "YYYY-MM-DD",
		Hint: "Inclusive, in UTC."},
}

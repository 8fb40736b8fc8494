package form

import "github.com/verity-kyb/verity/internal/validate"

// Reason is the one field of the status dialog (approve, reject, reopen):
// whether it is required depends on the move (customer.ReasonRequired), so
// the dialog decides that; its limit is the service's.
var Reason = Spec{Path: "reason", Label: "Reason", Kind: Textarea, MaxLength: validate.MaxReason,
	Hint: "Kept in the customer's history."}

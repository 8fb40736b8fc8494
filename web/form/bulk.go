package form

import "github.com/verity-kyb/verity/internal/validate"

// The customers list's bulk form: the ticked rows (each "reference.version",
// so a customer changed since the list was read is refused as stale), or
// every customer of the list's view; the action is the button pressed.
var (
	BulkSelected = Spec{Path: "selected", Label: "Select", Kind: Checkbox}
	BulkScope    = Spec{Path: "scope", Label: "Apply to", Kind: Select, Choices: []Choice{
		{Value: "selected", Label: "The ticked rows"}, {Value: "page", Label: "All on this page"},
		{Value: "all", Label: "All matching this view"}}}
	// BulkOnPage lists every row of the page, which scope "page" applies.
	BulkOnPage   = Spec{Path: "onpage", Kind: Hidden}
	BulkAssignee = Spec{Path: "assignee", Label: "Assign to", Kind: Select,
		Hint: "Officers may take unassigned cases or release their own; admins assign anyone."}
	BulkReason = Spec{Path: "reason", Label: "Reason for rejecting", Kind: Text, MaxLength: validate.MaxReason,
		Hint: "Required to reject; kept in each customer's history."}
)

// AssignNobody is the bulk assignee choice that unassigns.
const AssignNobody = "none"

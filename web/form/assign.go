package form

// Assignee is the one field of the assignment forms on the customer page:
// "me" (Assign to me), "" (Unassign) or a staff id (an admin's Assign to…,
// whose choices are the active officers and admins, known only at run time).
var Assignee = Spec{Path: "assignee", Label: "Assign to", Kind: Select, Empty: "Choose a person",
	Hint: "Active officers and admins."}

package adminview

import (
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/web/form"
)

// keySpecs are the new key form's fields, the owner offering the active staff.
func keySpecs(owners []auth.User) []form.Spec {
	choices := make([]form.Choice, len(owners))
	for i, u := range owners {
		choices[i] = form.Choice{Value: id(u.ID), Label: u.Name + " (" + string(u.Role) + ")"}
	}
	specs := form.APIKey.Specs()
	for i := range specs {
		if specs[i].Path == "owner" {
			specs[i] = form.WithChoices(specs[i], choices)
		}
	}
	return specs
}

// keyValues are the new key form's values: as typed, else the defaults.
func keyValues(v KeysView) form.Values {
	if v.Values != nil {
		return v.Values
	}
	return form.APIKeyDefaults(v.SelfID)
}

// staffValues are the new account form's values: as typed, else the defaults.
func staffValues(v StaffView) form.Values {
	if v.Values != nil {
		return v.Values
	}
	return form.StaffDefaults()
}

// ownerName is a key's owner as the page names them.
func ownerName(k auth.APIKey) string {
	if k.OwnerName == nil {
		return "unknown"
	}
	return *k.OwnerName
}

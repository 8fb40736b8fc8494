package adminview

import (
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/views/components"
)

// ownerOptions are the staff users a key may act for, "Name (role)".
func ownerOptions(users []auth.User) []components.Option {
	out := make([]components.Option, len(users))
	for i, u := range users {
		out[i] = components.Option{Value: id(u.ID), Label: u.Name + " (" + string(u.Role) + ")"}
	}
	return out
}

// expiryOptions are the lifetimes the page offers (auth.ParseLifetime reads them).
func expiryOptions() []components.Option {
	return []components.Option{{Value: "30d", Label: "in 30 days"}, {Value: "90d", Label: "in 90 days"},
		{Value: "365d", Label: "in a year"}, {Value: "never", Label: "never"}}
}

// ownerName is a key's owner as the page names them.
func ownerName(k auth.APIKey) string {
	if k.OwnerName == nil {
		return "unknown"
	}
	return *k.OwnerName
}

package form

import (
	"strconv"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/validate"
)

// RoleChoices are the roles, least powerful first.
var RoleChoices = func() []Choice {
	out := make([]Choice, len(access.Roles))
	for i, r := range access.Roles {
		out[i] = Choice{Value: string(r), Label: string(r)}
	}
	return out
}()

// Staff is the admin page's new staff account form.
var Staff = Form[auth.User, auth.NewUser]{Fields: []Field[auth.User, auth.NewUser]{
	{Spec: Spec{Path: "name", Label: "Name", Kind: Text, Required: true, MaxLength: validate.MaxName, Autocomplete: "off"},
		set: func(in *auth.NewUser, v string) { in.Name = v }},
	{Spec: Spec{Path: "email", Label: "E-mail", Kind: Email, Required: true, MaxLength: validate.MaxEmail, Autocomplete: "off"},
		set: func(in *auth.NewUser, v string) { in.Email = v }},
	{Spec: Spec{Path: "role", Label: "Role", Kind: Select, Required: true, Choices: RoleChoices},
		set: func(in *auth.NewUser, v string) { in.Role = access.Role(v) }},
	{Spec: Spec{Path: "password", Label: "Initial password", Kind: Password, Required: true, MaxLength: auth.MaxPasswordLen,
		Autocomplete: "new-password",
		Hint:         "At least " + strconv.Itoa(auth.MinPasswordLen) + " characters. Give it to them privately; they can change it after signing in."},
		set: func(in *auth.NewUser, v string) { in.Password = v }},
}}

// StaffDefaults are the new staff account form's starting values.
func StaffDefaults() Values { return Values{"role": string(access.RoleOfficer)} }

// ExpiryChoices are the lifetimes the API-keys page offers (auth.ParseLifetime reads them).
var ExpiryChoices = []Choice{{Value: "30d", Label: "in 30 days"}, {Value: "90d", Label: "in 90 days"},
	{Value: "365d", Label: "in a year"}, {Value: "never", Label: "never"}}

// APIKey is the admin page's new API key form. The owner's choices are the
// active staff accounts, known only per request: the page fills them in.
var APIKey = Form[auth.APIKey, auth.NewAPIKey]{Fields: []Field[auth.APIKey, auth.NewAPIKey]{
	{Spec: Spec{Path: "name", Label: "Name", Kind: Text, Required: true, MaxLength: validate.MaxName, Autocomplete: "off",
		Hint: "What uses it, e.g. “onboarding sync”."},
		set: func(in *auth.NewAPIKey, v string) { in.Name = v }},
	{Spec: Spec{Path: "owner", Label: "Owner", Kind: Select, Required: true,
		Hint: "The key acts for this person: their edits and the key's count as one for the four-eyes rule, and it stops working if they are deactivated."},
		set: func(in *auth.NewAPIKey, v string) {
			if v == "" {
				return // the acting admin
			}
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				id = -1 // no such account: the service says so under the field
			}
			in.OwnerID = id
		}},
	{Spec: Spec{Path: "role", Label: "Role", Kind: Select, Required: true, Choices: RoleChoices, Hint: "At most the owner's role."},
		set: func(in *auth.NewAPIKey, v string) { in.Role = access.Role(v) }},
	{Spec: Spec{Path: "expires", Label: "Expires", Kind: Select, Required: true, Choices: ExpiryChoices},
		set: func(in *auth.NewAPIKey, v string) {
			d, err := auth.ParseLifetime(v)
			if err != nil {
				d = -1 // out of range: the service says so under the field
			}
			in.Lifetime = d
		}},
}}

// APIKeyDefaults are the new key form's starting values: owned by the admin
// filling it in, an officer, for 90 days.
func APIKeyDefaults(selfID int64) Values {
	return Values{"owner": strconv.FormatInt(selfID, 10), "role": string(access.RoleOfficer), "expires": "90d"}
}

// WithChoices is spec with the choices a page knows only per request.
func WithChoices(spec Spec, choices []Choice) Spec {
	spec.Choices = choices
	return spec
}

// Package access says who acts and what they may do: the roles, their
// permissions, and the Actor that travels into every service call and into the
// audit trail. It is a leaf: auth, audit and customer all import it, so none of
// them needs a copy of another's code to avoid an import cycle.
package access

import (
	"fmt"
	"strconv"
)

// Role is a staff user's or API key's level of access.
type Role string

// rank orders the roles, so a key's role can be held to its owner's.
func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return -1
}

// Within tells whether r grants nothing beyond other.
func (r Role) Within(other Role) bool { return r.rank() >= 0 && r.rank() <= other.rank() }

// The roles, from least to most powerful.
const (
	RoleViewer  Role = "viewer"
	RoleOfficer Role = "officer"
	RoleAdmin   Role = "admin"
)

// Roles lists every role in order, for forms and validation.
var Roles = []Role{RoleViewer, RoleOfficer, RoleAdmin}

// ParseRole accepts a role name exactly as listed.
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// Permission is one thing a role may do.
type Permission int

// The permissions of design.md's role table.
const (
	PermRead         Permission = iota // read customers and history
	PermEdit                           // edit details and associates, create, reopen
	PermDecide                         // approve or reject verification
	PermAdministrate                   // staff accounts and API keys
)

// Can tells whether a role holds a permission; the one table of design.md.
func (r Role) Can(p Permission) bool {
	switch r {
	case RoleAdmin:
		return true
	case RoleOfficer:
		return p == PermRead || p == PermEdit
	case RoleViewer:
		return p == PermRead
	}
	return false
}

// ActorKind tells a person from a machine in the audit trail.
type ActorKind string

// The kinds of actor.
const (
	ActorUser      ActorKind = "user"
	ActorAPIKey    ActorKind = "apikey"
	ActorSystem    ActorKind = "system"
	ActorAnonymous ActorKind = "anonymous"
)

// Actor is whoever makes a request: it travels into every service call so the
// service can check the role and write who did what into the audit trail.
type Actor struct {
	Kind ActorKind
	ID   int64 // the staff user's or the API key's id
	// Name is what the audit trail records: a user's name; for an API key
	// "K of U" (key K of staff user U), or just "K" for a service key.
	Name      string
	Role      Role
	RequestID string
	// OwnerID is the staff user an API key acts for; 0 for a service key,
	// which is a principal of its own.
	OwnerID int64
}

// Key identifies the credential across requests ("user:7", "apikey:3"); it
// scopes idempotency keys, so two keys of one person never share replays.
func (a Actor) Key() string {
	if a.Kind == ActorSystem || a.Kind == ActorAnonymous {
		return string(a.Kind)
	}
	return string(a.Kind) + ":" + strconv.FormatInt(a.ID, 10)
}

// Principal identifies who is behind the credential: a person's page session
// and every key they own are one principal ("user:7"); a service key is its
// own ("apikey:3"). The four-eyes rule compares principals, and
// customers.last_editor stores them.
func (a Actor) Principal() string {
	if a.Kind == ActorAPIKey && a.OwnerID != 0 {
		return string(ActorUser) + ":" + strconv.FormatInt(a.OwnerID, 10)
	}
	return a.Key()
}

// String names the actor for people ("Ada Lovelace", "API key ci-sync of Ada
// Lovelace", "API key nightly" for a service key).
func (a Actor) String() string {
	switch a.Kind {
	case ActorAPIKey:
		return fmt.Sprintf("API key %s", a.Name)
	case ActorSystem:
		return "system"
	}
	return a.Name
}

// System is the actor of imports, seeding and command-line work.
func System(requestID string) Actor {
	return Actor{Kind: ActorSystem, Name: "system", Role: RoleAdmin, RequestID: requestID}
}

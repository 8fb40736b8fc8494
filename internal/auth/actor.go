// Package auth knows who is acting: staff users, API keys, their roles, and
// what each role may do. The customer service asks it, so UI and API agree.
package auth

import (
	"fmt"
	"strconv"
)

// Role is a staff user's or API key's level of access.
type Role string

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
	Kind      ActorKind
	ID        int64
	Name      string
	Role      Role
	RequestID string
}

// Key identifies the actor across requests ("user:7", "apikey:3"), used by
// the four-eyes rule and to scope idempotency keys.
func (a Actor) Key() string {
	if a.Kind == ActorSystem || a.Kind == ActorAnonymous {
		return string(a.Kind)
	}
	return string(a.Kind) + ":" + strconv.FormatInt(a.ID, 10)
}

// String names the actor for people ("Ada Lovelace", "API key ci-sync").
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

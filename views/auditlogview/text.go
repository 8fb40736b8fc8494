package auditlogview

import (
	"strconv"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/audit"
)

func idText(id int64) string { return strconv.FormatInt(id, 10) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// actorKind says what kind of principal acted.
func actorKind(e audit.LogEntry) string {
	switch e.ActorType {
	case access.ActorUser:
		return "staff"
	case access.ActorAPIKey:
		return "API key"
	case access.ActorSystem:
		return "Verity"
	case access.ActorAnonymous:
		return "not signed in"
	}
	return string(e.ActorType)
}

func changesText(e audit.LogEntry) string {
	switch n := len(e.Changes); n {
	case 0:
		return ""
	case 1:
		return "1 field"
	default:
		return strconv.Itoa(n) + " fields"
	}
}

// clipped keeps a long reason or note to a table cell; the customer's
// history and the CSV have it whole.
func clipped(s string) string {
	r := []rune(s)
	if len(r) <= 300 {
		return s
	}
	return string(r[:300]) + "…"
}

package csvexport

import (
	"strconv"
	"time"

	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
)

// CustomerHeader names the columns of a customers export.
var CustomerHeader = []string{"reference", "name", "registrationNumber", "country", "status", "risk", "assignee",
	"statusSince", "associates", "createdAt", "updatedAt"}

// CustomerRow is one customer of an export as cells.
func CustomerRow(r *customer.ExportRow) []string {
	assignee := ""
	if r.Assignee != nil {
		assignee = r.Assignee.Name + " <" + r.Assignee.Email + ">"
	}
	return []string{r.Reference.String(), r.Name, r.RegistrationNumber, r.CountryCode, string(r.Status),
		string(r.RiskScore), assignee, r.StatusSince.Format(time.RFC3339), strconv.Itoa(r.Associates),
		r.CreatedAt.Format(time.RFC3339), r.UpdatedAt.Format(time.RFC3339)}
}

// CustomersFile is the name of a customers export made at now.
func CustomersFile(now time.Time) string {
	return "customers-" + now.UTC().Format("2006-01-02") + ".csv"
}

// AuditHeader names the columns of an audit log export.
var AuditHeader = []string{"id", "occurredAt", "actorType", "actorName", "action", "customerReference", "customerName",
	"subject", "reason", "changes", "requestId"}

// AuditFile is the name of an audit log export.
const AuditFile = "audit-log.csv"

// AuditRow is one audit entry as cells.
func AuditRow(e *audit.LogEntry) []string {
	var ref, name string
	if e.CustomerRef != nil {
		ref = e.CustomerRef.String()
	}
	if e.CustomerName != nil {
		name = *e.CustomerName
	}
	return []string{strconv.FormatInt(e.ID, 10), e.OccurredAt.UTC().Format(time.RFC3339Nano), string(e.ActorType), e.ActorName,
		e.Action, ref, name, deref(e.Subject), deref(e.Reason), string(e.ChangesRaw), deref(e.RequestID)}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

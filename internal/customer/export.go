package customer

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/access"
)

// ExportRow is one customer as the CSV export lists it.
type ExportRow struct {
	Reference          uuid.UUID
	Name               string
	RegistrationNumber string
	CountryCode        string
	Status             Status
	RiskScore          RiskScore
	Assignee           *Assignee
	StatusSince        time.Time
	Associates         int
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// exportColumns are ExportRow's columns, the associates counted per row.
const exportColumns = `reference, name, registration_number, country_code, status, risk_score, assignee_id,
(SELECT su.email FROM staff_users su WHERE su.id = assignee_id), (SELECT su.name FROM staff_users su WHERE su.id = assignee_id),
status_since, (SELECT count(*) FROM associates a WHERE a.customer_id = customers.id), created_at, updated_at`

// exportOrder is the list's order for a sort (listSQL's).
func exportOrder(sort string) string {
	switch sort {
	case SortName:
		return ` ORDER BY lower(name), id`
	case SortOldest:
		return ` ORDER BY status_since, id`
	}
	return ` ORDER BY updated_at DESC, id DESC`
}

// Export calls each with every customer of the filter's list, in its order
// (its page and size are ignored), as the rows arrive from the database: one
// query whose result is read row by row, never held whole, so a million
// customers cost the memory of one. refs, when not nil, narrows the export
// to those customers (the list's "Export selected"). Anyone who may read
// customers may export them.
func (s *Service) Export(ctx context.Context, a access.Actor, f Filter, refs []uuid.UUID, each func(*ExportRow) error) error {
	if err := s.require(a, access.PermRead, "read customers"); err != nil {
		return err
	}
	s = s.reader(ctx)
	f.Page, f.Size = 0, 0
	if err := f.Normalize(); err != nil {
		return err
	}
	if _, err := s.resolveFilter(a, &f); err != nil {
		return err
	}
	var err error
	if f.commonTerm, err = s.commonTerm(ctx, f.Query); err != nil { // as List: a common short term walks the text
		return err
	}
	where, args := f.where()
	if refs != nil {
		args = append(args, pq.Array(refStrings(refs)))
		cond := fmt.Sprintf("reference = ANY($%d::uuid[])", len(args))
		if where == "" {
			where = " WHERE " + cond
		} else {
			where += " AND " + cond
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+exportColumns+` FROM customers`+where+exportOrder(f.Sort), args...)
	if err != nil {
		return fmt.Errorf("export customers: %w", err)
	}
	defer rows.Close()
	var r customerRow
	var out ExportRow
	var associates int64
	for rows.Next() {
		if err := rows.Scan(&r.Reference, &r.Name, &r.RegistrationNumber, &r.CountryCode, &r.Status, &r.RiskScore,
			&r.AssigneeID, &r.AssigneeEmail, &r.AssigneeName, &r.StatusSince, &associates, &r.CreatedAt, &r.UpdatedAt); err != nil {
			return fmt.Errorf("export customers: %w", err)
		}
		out = ExportRow{Reference: r.Reference, Name: r.Name, RegistrationNumber: r.RegistrationNumber,
			CountryCode: r.CountryCode, Status: Status(r.Status), RiskScore: RiskScore(r.RiskScore), Assignee: r.assignee(),
			StatusSince: r.StatusSince.UTC(), Associates: int(associates), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		if err := each(&out); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export customers: %w", err)
	}
	return nil
}

func refStrings(refs []uuid.UUID) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.String()
	}
	return out
}

package customer

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
)

// OnConflict says what an import does with a line whose reference is
// already a stored customer's.
type OnConflict string

// The --on-conflict choices.
const (
	ConflictFail   OnConflict = "fail"   // refuse the line (the default)
	ConflictSkip   OnConflict = "skip"   // keep the stored customer, count the line as skipped
	ConflictUpdate OnConflict = "update" // apply the line as PUT details and PUT associates would
)

// ParseOnConflict reads an --on-conflict value; "" is ConflictFail.
func ParseOnConflict(s string) (OnConflict, error) {
	switch OnConflict(s) {
	case "", ConflictFail:
		return ConflictFail, nil
	case ConflictSkip, ConflictUpdate:
		return OnConflict(s), nil
	}
	return "", fmt.Errorf("--on-conflict must be fail, skip or update, not %q", s)
}

// ImportUpdatedReason is the reason of the audit entry an update by import writes.
const ImportUpdatedReason = "updated by verity import (--on-conflict update)"

// importItem is one parsed line waiting for its batch.
type importItem struct {
	line int
	c    *Customer
	rec  *ImportRecord
}

// settleExisting takes the lines of a batch whose reference is a stored
// customer's out of it and, unless policy is ConflictFail, skips or updates
// them, telling settled of each (err is why a line was refused). It returns
// the lines left to insert.
func (s *Service) settleExisting(ctx context.Context, a access.Actor, policy OnConflict, b []importItem, settled func(importItem, error)) ([]importItem, error) {
	if policy == "" || policy == ConflictFail {
		return b, nil
	}
	refs := make([]uuid.UUID, 0, len(b))
	for _, it := range b {
		if it.rec.Reference != nil {
			refs = append(refs, it.c.Reference)
		}
	}
	if len(refs) == 0 {
		return b, nil
	}
	stored, err := s.existingRefs(ctx, refs)
	if err != nil {
		return nil, err
	}
	rest := b[:0:0]
	for _, it := range b {
		if !stored[it.c.Reference] {
			rest = append(rest, it)
			continue
		}
		if policy == ConflictSkip {
			settled(it, nil)
			continue
		}
		settled(it, s.importUpdate(ctx, a, it.c.Reference, it.rec))
	}
	return rest, nil
}

const existingRefsSQL = `SELECT reference FROM customers WHERE reference = ANY($1)`

// existingRefs returns which of the references are stored customers'.
func (s *Service) existingRefs(ctx context.Context, refs []uuid.UUID) (map[uuid.UUID]bool, error) {
	strs := make([]string, len(refs))
	for i, r := range refs {
		strs[i] = r.String()
	}
	var found []uuid.UUID
	if err := s.db.SelectContext(ctx, &found, existingRefsSQL, pq.Array(strs)); err != nil {
		return nil, fmt.Errorf("existing references: %w", err)
	}
	out := make(map[uuid.UUID]bool, len(found))
	for _, r := range found {
		out[r] = true
	}
	return out, nil
}

// importUpdate applies an import line to the stored customer with its
// reference, in one write through mutate: the details replaced as a PUT of
// every field, the associates as PUT associates (matched, so their
// references and verifications stay). The status is never changed here: a
// line whose status differs from the stored one is refused.
func (s *Service) importUpdate(ctx context.Context, a access.Actor, ref uuid.UUID, rec *ImportRecord) error {
	up := detailsOf(rec)
	list := rec.Company.Associates
	if list == nil {
		list = []AssociateInput{}
	}
	now := s.opts.Now()
	assoc, verr := ValidateAssociates(list, now)
	refs, rerr := parseReferences(list)
	if verr != nil || rerr != nil {
		return mergeInvalid(verr, rerr)
	}
	_, err := s.mutate(ctx, a, ref, nil, func(cur *Customer) (*change, error) {
		if rec.Status != nil {
			if st, _ := ParseStatus(*rec.Status); st != cur.Status {
				return nil, apperr.Conflict("status_differs",
					"the line's status %s differs from the stored %s; an import never changes a stored customer's status (use the review)", st, cur.Status)
			}
		}
		next, err := ApplyDetails(*cur, up, now)
		if err != nil {
			return nil, err
		}
		matched, err := s.match(cur.Company.Associates, assoc, refs)
		if err != nil {
			return nil, err
		}
		next.Company.Associates = matched
		return &change{next: &next, action: audit.ActionCustomerUpdate, reason: ImportUpdatedReason,
			edit: true, associates: true}, nil
	})
	return err
}

// detailsOf is the line's company details as a PUT that sets every field
// (a field the line leaves out is cleared, as the line is the whole customer).
func detailsOf(rec *ImportRecord) DetailsUpdate {
	c := rec.Company
	up := DetailsUpdate{Name: opt(c.Name), Description: opt(c.Description),
		TaxResidenceCountryCode: opt(c.TaxResidenceCountryCode), RegistrationNumber: opt(c.RegistrationNumber),
		Website: opt(c.Website), RiskScore: opt(rec.RiskScore)}
	if c.Address == nil {
		up.Address = Optional[AddressUpdate]{Set: true, Null: true}
	} else {
		ad := c.Address
		up.Address = Some(AddressUpdate{AddressLine1: opt(ad.AddressLine1), AddressLine2: opt(ad.AddressLine2),
			City: opt(ad.City), PostalCode: opt(ad.PostalCode), CountryCode: opt(ad.CountryCode), Country: opt(ad.Country)})
	}
	return up
}

// opt is a pointer field as a present value, or a present null.
func opt(p *string) Optional[string] {
	if p == nil {
		return Optional[string]{Set: true, Null: true}
	}
	return Some(*p)
}

package customer

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/validate"
)

// ReplaceAssociates makes the list the customer's associates, in that order.
// Each entry is matched to a stored associate — by person.reference, then
// identity document, then tax identification, then e-mail — and keeps that
// associate's reference and verification; unmatched entries are new. Stored
// associates left out are removed (the audit trail keeps them).
func (s *Service) ReplaceAssociates(ctx context.Context, a access.Actor, ref uuid.UUID, in AssociatesInput, ifMatch Versions) (*Customer, error) {
	if err := s.require(a, access.PermEdit, "edit customers"); err != nil {
		return nil, err
	}
	if in.Associates == nil {
		return nil, apperr.Invalid(apperr.FieldErrors{"associates": {"is required (send [] to remove every associate)"}})
	}
	list, verr := ValidateAssociates(*in.Associates, s.opts.Now())
	refs, rerr := parseReferences(*in.Associates)
	if verr != nil || rerr != nil {
		return nil, mergeInvalid(verr, rerr)
	}
	return s.mutate(ctx, a, ref, ifMatch, func(cur *Customer) (*change, error) {
		matched, err := s.match(cur.Company.Associates, list, refs)
		if err != nil {
			return nil, err
		}
		next := *cur
		next.Company.Associates = matched
		return &change{next: &next, action: audit.ActionCustomerAssociates, edit: true, associates: true}, nil
	})
}

// parseReferences reads the optional person.reference of each entry.
func parseReferences(list []AssociateInput) ([]*uuid.UUID, error) {
	errs := apperr.FieldErrors{}
	out := make([]*uuid.UUID, len(list))
	for i := range list {
		p := list[i].Person.Reference
		if p == nil || strings.TrimSpace(*p) == "" {
			continue
		}
		id, err := uuid.Parse(strings.TrimSpace(*p))
		if err != nil {
			errs.Add(fmt.Sprintf("company.associates[%d].person.reference", i), "must be a UUID")
			continue
		}
		out[i] = &id
	}
	return out, apperr.Invalid(errs)
}

// match resolves every entry to a stored associate or a new one.
func (s *Service) match(stored, list []Associate, refs []*uuid.UUID) ([]Associate, error) {
	errs := apperr.FieldErrors{}
	byRef := map[uuid.UUID]int{}
	byDoc, byTax, byEmail := map[string]int{}, map[string]int{}, map[string]int{}
	for i := range stored {
		st := &stored[i]
		byRef[st.Person.Reference] = i
		if k, ok := documentKey(st); ok {
			byDoc[k] = i
		}
		if k, ok := taxKey(st); ok {
			byTax[k] = i
		}
		if e := st.Details.ContactInfo.EmailAddress; e != nil {
			byEmail[validate.EmailKey(*e)] = i
		}
	}
	claimedBy := map[int]int{} // stored index → entry index
	out := make([]Associate, len(list))
	for i := range list {
		entry := list[i]
		path := fmt.Sprintf("company.associates[%d]", i)
		idx, found := -1, false
		if r := refs[i]; r != nil {
			if idx, found = byRef[*r]; !found {
				errs.Add(path+".person.reference", "does not belong to this customer; leave it out to add a new associate")
				continue
			}
		}
		if !found {
			idx, found = lookup(byDoc, documentKey, &entry)
		}
		if !found {
			idx, found = lookup(byTax, taxKey, &entry)
		}
		if !found && entry.Details.ContactInfo.EmailAddress != nil {
			idx, found = byEmail[validate.EmailKey(*entry.Details.ContactInfo.EmailAddress)]
		}
		if found {
			if j, dup := claimedBy[idx]; dup {
				msg := "matches the same stored associate (%s) as associate %d"
				errs.Add(path, fmt.Sprintf(msg, stored[idx].FullName(), j+1))
				errs.Add(fmt.Sprintf("company.associates[%d]", j), fmt.Sprintf(msg, stored[idx].FullName(), i+1))
				continue
			}
			claimedBy[idx] = i
			entry.Person.Reference = stored[idx].Person.Reference
			entry.Verification = stored[idx].Verification
		} else {
			entry.Person.Reference = uuid.New()
			entry.Verification = s.newVerification()
		}
		out[i] = entry
	}
	if err := apperr.Invalid(errs); err != nil {
		return nil, err
	}
	return out, nil
}

func lookup(index map[string]int, key func(*Associate) (string, bool), a *Associate) (int, bool) {
	k, ok := key(a)
	if !ok {
		return -1, false
	}
	i, found := index[k]
	return i, found
}

// mergeInvalid joins the field errors of several validation errors.
func mergeInvalid(errs ...error) error {
	all := apperr.FieldErrors{}
	for _, err := range errs {
		if e, ok := apperr.As(err); ok {
			for k, v := range e.Fields {
				all[k] = append(all[k], v...)
			}
		}
	}
	return apperr.Invalid(all)
}

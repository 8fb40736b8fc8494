package customer

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/verity-kyb/verity/internal/audit"
)

// The audit trail keys associates by reference, not position
// ("company.associates[<reference>].title", see diffView), so a reordering
// or a removal reads clearly. These helpers read that shape back, so the
// pages group an entry by person without knowing how paths are written.

// AssociateOfPath splits an audited associate path into the associate's
// reference and the field inside it ("" for the associate as a whole); ok
// is false for paths that are not about one associate.
func AssociateOfPath(path string) (ref, field string, ok bool) {
	rest, found := strings.CutPrefix(path, "company.associates[")
	if !found {
		if rest, found = strings.CutPrefix(path, "associates["); !found {
			return "", "", false
		}
	}
	ref, field, found = strings.Cut(rest, "]")
	if !found || ref == "" {
		return "", "", false
	}
	return ref, strings.TrimPrefix(field, "."), true
}

// PersonChange is what one audit entry did to one associate.
type PersonChange struct {
	Reference string
	Name      string         // as the associate is called now, else as the entry recorded it
	Added     bool           // every value is new
	Removed   bool           // every value is gone
	Changes   []audit.Change // paths relative to the associate ("title", "controls.hasControl")
}

// Value is a field's value after the change (before it, for a removal).
func (p PersonChange) Value(field string) any {
	for _, c := range p.Changes {
		if c.Path == field {
			if p.Removed {
				return c.Old
			}
			return c.New
		}
	}
	return nil
}

// SplitChanges sorts an entry's changes into those of the customer itself
// (status, risk, company details) and those of each associate: people in the
// order of the list the entry left behind, those removed after them. c, the
// customer as it is now, names people still on it (and places those whose
// position the entry did not change); the entry's own values name the others.
func SplitChanges(c *Customer, changes []audit.Change) (own []audit.Change, people []PersonChange) {
	byRef := map[string]int{}
	for _, ch := range changes {
		ref, field, ok := AssociateOfPath(ch.Path)
		if !ok {
			own = append(own, ch)
			continue
		}
		i, seen := byRef[ref]
		if !seen {
			i = len(people)
			byRef[ref] = i
			people = append(people, PersonChange{Reference: ref, Added: true, Removed: true})
		}
		p := &people[i]
		p.Changes = append(p.Changes, audit.Change{Path: field, Old: ch.Old, New: ch.New})
		p.Added = p.Added && ch.Old == nil
		p.Removed = p.Removed && ch.New == nil
	}
	current, index := map[string]string{}, map[string]int{}
	if c != nil {
		for i := range c.Company.Associates {
			a := &c.Company.Associates[i]
			current[a.Person.Reference.String()] = a.FullName()
			index[a.Person.Reference.String()] = i
		}
	}
	for i := range people {
		p := &people[i]
		if p.Added && p.Removed { // only nulls: nothing to tell apart
			p.Added, p.Removed = false, false
		}
		p.Name = current[p.Reference]
		if p.Name == "" || p.Removed {
			p.Name = recordedName(p)
		}
	}
	slices.SortStableFunc(people, func(a, b PersonChange) int {
		if a.Removed != b.Removed {
			if a.Removed {
				return 1
			}
			return -1
		}
		return cmp.Compare(placeOf(a, index), placeOf(b, index))
	})
	return own, people
}

// placeOf is where a person stands in the list the entry left behind (where
// they stood, for someone removed); unknown places sort last.
func placeOf(p PersonChange, index map[string]int) float64 {
	if p.Removed {
		if f, ok := p.Value("position").(float64); ok {
			return f
		}
		return math.MaxInt32
	}
	for _, c := range p.Changes {
		if f, ok := c.New.(float64); ok && c.Path == "position" {
			return f
		}
	}
	if i, ok := index[p.Reference]; ok {
		return float64(i)
	}
	return math.MaxInt32
}

// recordedName is the person's name as the entry recorded it: the old name
// of someone removed or renamed, the new one of someone added.
func recordedName(p *PersonChange) string {
	part := func(field string) string {
		for _, c := range p.Changes {
			if c.Path == field {
				if s, _ := c.Old.(string); s != "" {
					return s
				}
				s, _ := c.New.(string)
				return s
			}
		}
		return ""
	}
	return strings.TrimSpace(part("person.firstName") + " " + part("person.lastName"))
}

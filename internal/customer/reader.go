package customer

import "context"

// primaryKey marks a context whose reads must see the primary.
type primaryKey struct{}

// ReadPrimary marks ctx so that lists, searches, counts and exports read
// from the primary even when a read replica is in use: the request writes,
// or follows a write closely enough that the replica may not have it yet.
func ReadPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

// readsPrimary tells whether ctx was marked by ReadPrimary.
func readsPrimary(ctx context.Context) bool {
	v, _ := ctx.Value(primaryKey{}).(bool)
	return v
}

// reader is the service the list-shaped reads (List, Export) run on: the
// replica's twin when one is configured, usable and ctx does not ask for
// the primary; otherwise s itself. Everything else reads and writes the
// primary.
func (s *Service) reader(ctx context.Context) *Service {
	if s.replica == nil || readsPrimary(ctx) || (s.opts.ReadUsable != nil && !s.opts.ReadUsable()) {
		return s
	}
	return s.replica
}

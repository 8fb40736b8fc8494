package webhook

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
)

// Audit actions of webhook administration (the secret is never recorded).
const (
	ActionCreate    = "webhook.create"
	ActionUpdate    = "webhook.update"
	ActionRotate    = "webhook.rotate"
	ActionDelete    = "webhook.delete"
	ActionRedeliver = "webhook.redeliver"
)

// Input is what an admin sends to register or change an endpoint.
type Input struct {
	URL     *string  `json:"url"`
	Events  []string `json:"events"`
	Enabled *bool    `json:"enabled"`
}

// valid checks in and answers the URL, sorted events and enabled flag.
func (s *Service) valid(ctx context.Context, in Input) (string, []string, bool, error) {
	errs := apperr.FieldErrors{}
	var u string
	if in.URL == nil || strings.TrimSpace(*in.URL) == "" {
		errs.Add("url", "is required")
	} else if v, err := s.CheckURL(ctx, *in.URL); err != nil {
		errs.Add("url", err.Error())
	} else {
		u = v
	}
	seen := map[string]bool{}
	var events []string
	for _, e := range in.Events {
		switch {
		case !customer.KnownEvent(e):
			errs.Add("events", fmt.Sprintf("%q is not an event Verity sends", e))
		case !seen[e]:
			seen[e] = true
			events = append(events, e)
		}
	}
	if len(in.Events) == 0 {
		errs.Add("events", "choose at least one event")
	}
	sort.Strings(events)
	enabled := in.Enabled == nil || *in.Enabled
	return u, events, enabled, apperr.Invalid(errs)
}

const endpointColumns = `id, reference, url, events, enabled, previous_expires_at IS NOT NULL AND previous_expires_at > now() AS rotating,
  created_at, updated_at,
  (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.state = 'pending') AS pending,
  (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.state = 'failed') AS failed`

type endpointRow struct {
	Endpoint
	EventList pq.StringArray `db:"events"`
}

func (r *endpointRow) endpoint() *Endpoint {
	e := r.Endpoint
	e.Events = []string(r.EventList)
	return &e
}

const listEndpointsSQL = `SELECT ` + endpointColumns + ` FROM webhook_endpoints e WHERE deleted_at IS NULL ORDER BY id`

// List returns the registered endpoints, oldest first.
func (s *Service) List(ctx context.Context, a access.Actor) ([]*Endpoint, error) {
	if err := s.Allowed(a); err != nil {
		return nil, err
	}
	var rows []endpointRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, listEndpointsSQL); err != nil {
		return nil, err
	}
	out := make([]*Endpoint, len(rows))
	for i := range rows {
		out[i] = rows[i].endpoint()
	}
	return out, nil
}

const getEndpointSQL = `SELECT ` + endpointColumns + ` FROM webhook_endpoints e WHERE reference = $1 AND deleted_at IS NULL`

// Get returns one endpoint.
func (s *Service) Get(ctx context.Context, a access.Actor, ref uuid.UUID) (*Endpoint, error) {
	if err := s.Allowed(a); err != nil {
		return nil, err
	}
	return getEndpoint(ctx, s.db, ref)
}

func getEndpoint(ctx context.Context, db sqlx.QueryerContext, ref uuid.UUID) (*Endpoint, error) {
	var row endpointRow
	if err := sqlx.GetContext(ctx, db, &row, getEndpointSQL, ref); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound("webhook endpoint " + ref.String())
		}
		return nil, err
	}
	return row.endpoint(), nil
}

const insertEndpointSQL = `INSERT INTO webhook_endpoints (reference, url, events, enabled, secret) VALUES ($1, $2, $3, $4, $5)`

// Create registers an endpoint and answers it with its secret, which is
// shown this once.
func (s *Service) Create(ctx context.Context, a access.Actor, in Input) (*Endpoint, string, error) {
	if err := s.Allowed(a); err != nil {
		return nil, "", err
	}
	u, events, enabled, err := s.valid(ctx, in)
	if err != nil {
		return nil, "", err
	}
	ref, secret := uuid.New(), NewSecret()
	var e *Endpoint
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, insertEndpointSQL, ref, u, pq.StringArray(events), enabled, secret); err != nil {
			return err
		}
		if e, err = getEndpoint(ctx, tx, ref); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Record{Actor: a, Action: ActionCreate, Subject: "webhook " + ref.String(),
			Changes: []audit.Change{{Path: "url", New: u}, {Path: "events", New: strings.Join(events, " ")}, {Path: "enabled", New: enabled}}})
	})
	return e, secret, err
}

const updateEndpointSQL = `UPDATE webhook_endpoints SET url = $2, events = $3, enabled = $4, updated_at = now() WHERE id = $1`

// Update replaces an endpoint's URL, events and enabled flag (enabled stays
// as it was when left out).
func (s *Service) Update(ctx context.Context, a access.Actor, ref uuid.UUID, in Input) (*Endpoint, error) {
	if err := s.Allowed(a); err != nil {
		return nil, err
	}
	var e *Endpoint
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := lockEndpoint(ctx, tx, ref)
		if err != nil {
			return err
		}
		if in.Enabled == nil {
			in.Enabled = &cur.Enabled
		}
		u, events, enabled, err := s.valid(ctx, in)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, updateEndpointSQL, cur.ID, u, pq.StringArray(events), enabled); err != nil {
			return err
		}
		var ch []audit.Change
		if u != cur.URL {
			ch = append(ch, audit.Change{Path: "url", Old: cur.URL, New: u})
		}
		if was := strings.Join(cur.Events, " "); was != strings.Join(events, " ") {
			ch = append(ch, audit.Change{Path: "events", Old: was, New: strings.Join(events, " ")})
		}
		if enabled != cur.Enabled {
			ch = append(ch, audit.Change{Path: "enabled", Old: cur.Enabled, New: enabled})
		}
		if e, err = getEndpoint(ctx, tx, ref); err != nil || len(ch) == 0 {
			return err
		}
		return audit.Write(ctx, tx, audit.Record{Actor: a, Action: ActionUpdate, Subject: "webhook " + ref.String(), Changes: ch})
	})
	return e, err
}

// SetEnabled turns an endpoint on or off: off, it receives no new events and
// its queued deliveries wait until it is on again.
func (s *Service) SetEnabled(ctx context.Context, a access.Actor, ref uuid.UUID, on bool) (*Endpoint, error) {
	e, err := s.Get(ctx, a, ref)
	if err != nil {
		return nil, err
	}
	return s.Update(ctx, a, ref, Input{URL: &e.URL, Events: e.Events, Enabled: &on})
}

const lockEndpointSQL = `SELECT ` + endpointColumns + ` FROM webhook_endpoints e WHERE reference = $1 AND deleted_at IS NULL FOR UPDATE`

func lockEndpoint(ctx context.Context, tx *sqlx.Tx, ref uuid.UUID) (*Endpoint, error) {
	var row endpointRow
	if err := sqlx.GetContext(ctx, tx, &row, lockEndpointSQL, ref); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound("webhook endpoint " + ref.String())
		}
		return nil, err
	}
	return row.endpoint(), nil
}

const rotateSQL = `UPDATE webhook_endpoints SET previous_secret = secret, previous_expires_at = now() + $2::interval,
  secret = $3, updated_at = now() WHERE id = $1`

// Rotate gives an endpoint a new secret, shown this once; the previous one
// still signs for RotationOverlap.
func (s *Service) Rotate(ctx context.Context, a access.Actor, ref uuid.UUID) (string, error) {
	if err := s.Allowed(a); err != nil {
		return "", err
	}
	secret := NewSecret()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := lockEndpoint(ctx, tx, ref)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, rotateSQL, cur.ID, fmt.Sprintf("%d seconds", int(RotationOverlap.Seconds())), secret); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Record{Actor: a, Action: ActionRotate, Subject: "webhook " + ref.String()})
	})
	return secret, err
}

const (
	deleteEndpointSQL = `UPDATE webhook_endpoints SET deleted_at = now(), enabled = false, updated_at = now() WHERE id = $1`
	cancelPendingSQL  = `UPDATE webhook_deliveries SET state = 'cancelled', locked_until = NULL WHERE endpoint_id = $1 AND state = 'pending'`
)

// Delete retires an endpoint: it receives nothing more, its pending
// deliveries are cancelled, and it leaves the lists — but its row and its
// delivery record stay, as a compliance tool keeps what it sent where.
func (s *Service) Delete(ctx context.Context, a access.Actor, ref uuid.UUID) error {
	if err := s.Allowed(a); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := lockEndpoint(ctx, tx, ref)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, deleteEndpointSQL, cur.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, cancelPendingSQL, cur.ID); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Record{Actor: a, Action: ActionDelete, Subject: "webhook " + ref.String(),
			Changes: []audit.Change{{Path: "url", Old: cur.URL}}})
	})
}

// inTx runs fn in one transaction, committed when fn succeeds.
func (s *Service) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

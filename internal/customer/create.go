package customer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/jsonx"
)

// Idempotency makes a create safe to retry: the same key with the same body
// replays the first answer, the same key with another body is a conflict.
// "The same body" means the same JSON meaning: re-indented or with its keys
// reordered it is still the same request.
type Idempotency struct {
	Key  string
	Body []byte // the request as sent; the hash of its canonical form is compared
}

// hash is the SHA-256 of the body's canonical JSON (sorted keys, no
// insignificant white space), the hash stored with a new key.
func (i *Idempotency) hash() []byte {
	canon, err := jsonx.Canonical(i.Body)
	if err != nil {
		canon = i.Body // not JSON: the create is refused anyway
	}
	sum := sha256.Sum256(canon)
	return sum[:]
}

// bytesHash is the SHA-256 of the body as sent, which is what keys stored
// before hashes became canonical hold: a retry of such a request (the very
// same bytes) still replays.
func (i *Idempotency) bytesHash() []byte {
	sum := sha256.Sum256(i.Body)
	return sum[:]
}

// Create adds a COMPANY customer in status PENDING with fresh verification
// links for it and each associate. replayed is true when an earlier request
// with the same idempotency key already created it.
func (s *Service) Create(ctx context.Context, a access.Actor, in CreateInput, idem *Idempotency) (c *Customer, replayed bool, err error) {
	if err := s.require(a, access.PermEdit, "create customers"); err != nil {
		return nil, false, err
	}
	var hash []byte
	if idem != nil {
		if k := strings.TrimSpace(idem.Key); k == "" || len(k) > 255 {
			return nil, false, apperr.BadRequest("invalid_idempotency_key", "Idempotency-Key must be 1–255 characters")
		}
		hash = idem.hash()
		if prev, err := s.replay(ctx, s.db, a, idem.Key, hash, idem.bytesHash()); prev != nil || err != nil {
			return prev, prev != nil, err
		}
	}
	now := s.opts.Now().UTC()
	cu, inputs, err := ValidateCreate(in, now)
	errs := apperr.FieldErrors{}
	for i := range inputs {
		if r := inputs[i].Person.Reference; r != nil && strings.TrimSpace(*r) != "" {
			errs.Add(fmt.Sprintf("company.associates[%d].person.reference", i), "cannot be set on a new customer; leave it out")
		}
	}
	if err != nil || len(errs) > 0 {
		return nil, false, mergeInvalid(err, apperr.Invalid(errs))
	}
	cu.Reference = uuid.New()
	cu.CreatedAt, cu.UpdatedAt = now, now
	cu.Company.Verification = s.newVerification()
	for i := range cu.Company.Associates {
		cu.Company.Associates[i].Person.Reference = uuid.New()
		cu.Company.Associates[i].Verification = s.newVerification()
	}
	who := a.Principal() // four-eyes compares people; idempotency below stays per credential
	cu.LastEditor = &who

	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	if err := s.insert(ctx, tx, a, &cu, audit.ActionCustomerCreate, ""); err != nil {
		return nil, false, err
	}
	if idem != nil {
		body, _ := json.Marshal(cu)
		res, err := tx.ExecContext(ctx, insertIdempotencySQL, a.Key(), idem.Key, hash, string(body))
		if err != nil {
			return nil, false, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// a concurrent request with the same key won: answer as it did
			_ = tx.Rollback()
			prev, err := s.replay(ctx, s.db, a, idem.Key, hash, idem.bytesHash())
			return prev, prev != nil, err
		}
	}
	if err := s.attachEvidence(ctx, tx, &cu); err != nil {
		return nil, false, err
	}
	if err := tx.Commit(); err != nil {
		return nil, false, err
	}
	return &cu, false, nil
}

// insert stores a customer, its associates, its audit entry (with reason,
// when given) and its created event in tx.
func (s *Service) insert(ctx context.Context, tx *sqlx.Tx, a access.Actor, cu *Customer, action, reason string) error {
	db := s.prepared(tx)
	if err := insertCustomer(ctx, db, cu); err != nil {
		return err
	}
	if err := insertAssociatesNew(ctx, db, cu.ID, cu.Company.Associates); err != nil {
		return err
	}
	_, err := s.record(ctx, tx, audit.Record{Actor: a, Action: action, CustomerID: &cu.ID,
		ChangesJSON: creationJSON(nil, cu), Reason: reason}, Event{Name: EventCreated, CustomerID: cu.ID, Data: AsJSON(cu)})
	return err
}

const (
	selectIdempotencySQL = `SELECT request_hash, response FROM idempotency_keys WHERE scope = $1 AND key = $2`
	insertIdempotencySQL = `INSERT INTO idempotency_keys (scope, key, request_hash, response) VALUES ($1, $2, $3, $4)
ON CONFLICT (scope, key) DO NOTHING`
)

// replay answers a repeated idempotency key: the stored customer when the
// body is the same (its stored hash is hash, or legacy, the byte hash that
// keys stored before canonical hashing hold), a conflict when it differs, nil
// when the key is new.
func (s *Service) replay(ctx context.Context, db sqlx.QueryerContext, a access.Actor, key string, hash, legacy []byte) (*Customer, error) {
	var row struct {
		Hash     []byte `db:"request_hash"`
		Response []byte `db:"response"`
	}
	err := sqlx.GetContext(ctx, db, &row, selectIdempotencySQL, a.Key(), key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(row.Hash, hash) && !bytes.Equal(row.Hash, legacy) {
		return nil, apperr.Conflict("idempotency_key_reused", "this Idempotency-Key was already used with a different request body")
	}
	var c Customer
	if err := json.Unmarshal(row.Response, &c); err != nil {
		return nil, err
	}
	c.Version = 1
	return &c, nil
}

package auth

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
)

// apiKeyRow is an api_keys row with its hash and its owner's current role,
// which stay in this package.
type apiKeyRow struct {
	APIKey
	KeyHash   []byte `db:"key_hash"`
	ownerRole access.Role
}

func (r *apiKeyRow) hash() [32]byte {
	var h [32]byte
	copy(h[:], r.KeyHash)
	return h
}

const apiKeyColumns = `id, name, role, prefix, created_by, created_at, last_used_at, revoked_at, expires_at, owner_id`

// apiKeyWithOwner reads a key (k) with its owner (u) as they are now.
const apiKeyWithOwner = `k.id, k.name, k.role, k.prefix, k.created_by, k.created_at, k.last_used_at, k.revoked_at,
k.expires_at, k.owner_id, u.name AS owner_name, u.active AS owner_active, u.role AS owner_role, k.key_hash
FROM api_keys k LEFT JOIN staff_users u ON u.id = k.owner_id`

// scanKeyRow reads one apiKeyWithOwner row.
func scanKeyRow(rows interface{ Scan(...any) error }) (*apiKeyRow, error) {
	var r apiKeyRow
	var ownerRole *string
	err := rows.Scan(&r.ID, &r.Name, &r.Role, &r.Prefix, &r.CreatedBy, &r.CreatedAt, &r.LastUsedAt, &r.RevokedAt,
		&r.ExpiresAt, &r.OwnerID, &r.OwnerName, &r.OwnerActive, &ownerRole, &r.KeyHash)
	if ownerRole != nil {
		r.ownerRole = access.Role(*ownerRole)
	}
	return &r, err
}

// newKeyRow is what insertAPIKey stores; owner 0 makes a service key.
type newKeyRow struct {
	name, prefix, createdBy string
	role                    access.Role
	hash                    []byte
	owner                   int64
	expires                 *time.Time
}

// key_hash goes as []byte, which lib/pq sends as binary bytea.
const insertAPIKeySQL = `
INSERT INTO api_keys (name, role, prefix, key_hash, created_by, created_at, owner_id, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, 0), $8)
RETURNING ` + apiKeyColumns

func insertAPIKey(ctx context.Context, db sqlx.QueryerContext, in newKeyRow, now time.Time) (*APIKey, error) {
	var k APIKey
	if err := sqlx.GetContext(ctx, db, &k, insertAPIKeySQL, in.name, string(in.role), in.prefix, in.hash, in.createdBy, now,
		in.owner, in.expires); err != nil {
		return nil, err
	}
	return &k, nil
}

const listAPIKeysSQL = `SELECT ` + apiKeyWithOwner + `
ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC, k.id DESC`

func listAPIKeys(ctx context.Context, db sqlx.QueryerContext) ([]apiKeyRow, error) {
	rows, err := db.QueryContext(ctx, listAPIKeysSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []apiKeyRow
	for rows.Next() {
		r, err := scanKeyRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

const getAPIKeySQL = `SELECT ` + apiKeyColumns + `, key_hash FROM api_keys WHERE id = $1 FOR UPDATE`

// getAPIKey locks one key for a revoke.
func getAPIKey(ctx context.Context, db sqlx.QueryerContext, id int64) (*apiKeyRow, error) {
	var k apiKeyRow
	if err := sqlx.GetContext(ctx, db, &k, getAPIKeySQL, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound("API key")
		}
		return nil, err
	}
	return &k, nil
}

// The unique constraint on key_hash gives this lookup its index; the owner
// comes by primary key in the same query.
const getAPIKeyByHashSQL = `SELECT ` + apiKeyWithOwner + ` WHERE k.key_hash = $1`

// getAPIKeyByHash finds a key with its owner by its hash; nil, nil when there is none.
func getAPIKeyByHash(ctx context.Context, db sqlx.QueryerContext, hash []byte) (*apiKeyRow, error) {
	k, err := scanKeyRow(db.QueryRowxContext(ctx, getAPIKeyByHashSQL, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}

const revokeAPIKeySQL = `UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`

func revokeAPIKey(ctx context.Context, db sqlx.ExecerContext, id int64, now time.Time) error {
	_, err := db.ExecContext(ctx, revokeAPIKeySQL, id, now)
	return err
}

// Several processes may write; last_used_at only moves forward.
const touchAPIKeySQL = `
UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`

func touchAPIKey(ctx context.Context, db sqlx.ExecerContext, id int64, at time.Time) error {
	_, err := db.ExecContext(ctx, touchAPIKeySQL, id, at)
	return err
}

// Cache settings of AuthenticateAPIKey.
const (
	apiKeyCacheTTL     = 10 * time.Second // longest a revoke elsewhere goes unseen here
	lastUsedFlushEvery = time.Minute      // last_used_at is written at most this often per key
	maxCachedKeys      = 10_000           // only valid keys are cached, so this is ample
)

// cachedKey is a verified key's actor and its use times (unix nanoseconds).
type cachedKey struct {
	actor    access.Actor
	expires  time.Time
	lastUsed atomic.Int64 // the latest use seen by this process
	stored   atomic.Int64 // the last_used_at known to be in the database (or being written)
}

func newCachedKey(a access.Actor, now time.Time, stored *time.Time) *cachedKey {
	e := &cachedKey{actor: a, expires: now.Add(apiKeyCacheTTL)}
	if stored != nil {
		e.stored.Store(stored.UnixNano())
	}
	return e
}

// keyCache maps SHA-256 of a secret to its verified key. epoch counts
// invalidations: a lookup that started before one must not store what it
// read, or a key revoked meanwhile could come back for another TTL.
type keyCache struct {
	mu    sync.RWMutex
	epoch uint64
	m     map[[32]byte]*cachedKey
}

func newKeyCache() *keyCache { return &keyCache{m: map[[32]byte]*cachedKey{}} }

func (c *keyCache) get(h [32]byte, now time.Time) *cachedKey {
	c.mu.RLock()
	e := c.m[h]
	c.mu.RUnlock()
	if e == nil || !now.Before(e.expires) {
		return nil
	}
	return e
}

func (c *keyCache) currentEpoch() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

// put stores e unless an invalidation happened since epoch was read; when
// full it drops expired entries first and, failing that, caches nothing.
func (c *keyCache) put(h [32]byte, e *cachedKey, epoch uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return
	}
	if old := c.m[h]; old != nil {
		// Keep what this process saw of the key's use across the refresh.
		e.lastUsed.Store(max(e.lastUsed.Load(), old.lastUsed.Load()))
		e.stored.Store(max(e.stored.Load(), old.stored.Load()))
	} else if len(c.m) >= maxCachedKeys {
		for k, v := range c.m {
			if !now.Before(v.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxCachedKeys {
			return
		}
	}
	c.m[h] = e
}

// invalidate drops a key now and voids lookups still in flight.
func (c *keyCache) invalidate(hash []byte) {
	var h [32]byte
	copy(h[:], hash)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	delete(c.m, h)
}

// dropOwner drops every key acting for a staff user, whose role or activity
// just changed, and voids lookups still in flight.
func (c *keyCache) dropOwner(userID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for h, e := range c.m {
		if e.actor.OwnerID == userID {
			delete(c.m, h)
		}
	}
}

// lastUsed is this process's latest sighting of a key, for the admin list.
func (c *keyCache) lastUsed(h [32]byte) (time.Time, bool) {
	c.mu.RLock()
	e := c.m[h]
	c.mu.RUnlock()
	if e == nil || e.lastUsed.Load() == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, e.lastUsed.Load()), true
}

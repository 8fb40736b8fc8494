package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/internal/validate"
)

// APIKey is what people see of a key: never the secret, which is shown once
// at creation and stored only as a hash.
type APIKey struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	Role      Role      `db:"role"`
	Prefix    string    `db:"prefix"` // the secret's first characters, to tell keys apart
	CreatedBy string    `db:"created_by"`
	CreatedAt time.Time `db:"created_at"`
	// LastUsedAt lags real use by up to a minute (see AuthenticateAPIKey).
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

// Secret format: "vk_" and 40 base62 characters, about 238 bits of entropy.
const (
	secretPrefix  = "vk_"
	secretRandLen = 40
	secretLen     = len(secretPrefix) + secretRandLen
	prefixLen     = 10
	base62        = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// newSecret draws secretRandLen base62 characters from crypto/rand, by
// rejection sampling so every character is equally likely.
func newSecret() string {
	var b strings.Builder
	b.Grow(secretLen)
	b.WriteString(secretPrefix)
	buf := make([]byte, 64)
	for b.Len() < secretLen {
		_, _ = rand.Read(buf) // never fails since Go 1.24
		for _, c := range buf {
			if c < 62*4 && b.Len() < secretLen {
				b.WriteByte(base62[c%62])
			}
		}
	}
	return b.String()
}

// wellFormed rejects anything that cannot be one of our secrets before it
// costs a hash or a query.
func wellFormed(secret string) bool {
	if len(secret) != secretLen || !strings.HasPrefix(secret, secretPrefix) {
		return false
	}
	for i := len(secretPrefix); i < len(secret); i++ {
		if strings.IndexByte(base62, secret[i]) < 0 {
			return false
		}
	}
	return true
}

// hashSecret is the stored form of a key. A plain SHA-256 (no salt, no
// stretching) is right here, unlike for passwords: the secret carries ~238
// random bits, so a stolen table cannot be brute-forced, and a fast
// deterministic hash lets a request find its key with one indexed lookup.
func hashSecret(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

func keySubject(name, prefix string) string { return fmt.Sprintf("%s (%s…)", name, prefix) }

// CreateAPIKey issues a key for automation with the given role; admins (and
// the CLI) only. The secret is returned this once and never stored.
func (s *Service) CreateAPIKey(ctx context.Context, a Actor, name string, role Role) (*APIKey, string, error) {
	if err := requireAdmin(a, "manage API keys"); err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	fe := apperr.FieldErrors{}
	if msg := validate.Text(name, validate.MaxName, true); msg != "" {
		fe.Add("name", msg)
	}
	if _, ok := ParseRole(string(role)); !ok {
		fe.Add("role", msgRole)
	}
	if err := apperr.Invalid(fe); err != nil {
		return nil, "", err
	}
	secret := newSecret()
	h := hashSecret(secret)
	var k *APIKey
	err := postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if k, err = insertAPIKey(ctx, tx, name, role, secret[:prefixLen], h[:], a.String(), s.now()); err != nil {
			return err
		}
		return writeAudit(ctx, tx, auditEntry{actor: a, action: actionAPIKeyCreate, subject: keySubject(k.Name, k.Prefix),
			changes: []auditChange{{Path: "name", New: k.Name}, {Path: "role", New: k.Role}, {Path: "prefix", New: k.Prefix}}})
	})
	if err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// ListAPIKeys returns every key for the admin page, active ones first, with
// the last use this process has seen even if not yet written down.
func (s *Service) ListAPIKeys(ctx context.Context, a Actor) ([]APIKey, error) {
	if err := requireAdmin(a, "manage API keys"); err != nil {
		return nil, err
	}
	rows, err := listAPIKeys(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]APIKey, len(rows))
	for i, r := range rows {
		out[i] = r.APIKey
		if seen, ok := s.keys.lastUsed(r.hash()); ok && (out[i].LastUsedAt == nil || seen.After(*out[i].LastUsedAt)) {
			out[i].LastUsedAt = &seen
		}
	}
	return out, nil
}

// RevokeAPIKey ends a key at once in this process (other processes stop
// accepting it within apiKeyCacheTTL). Revoking a revoked key is a no-op.
func (s *Service) RevokeAPIKey(ctx context.Context, a Actor, id int64) error {
	if err := requireAdmin(a, "manage API keys"); err != nil {
		return err
	}
	var hash []byte
	err := postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		k, err := getAPIKey(ctx, tx, id)
		if err != nil {
			return err
		}
		hash = k.KeyHash
		if k.RevokedAt != nil {
			return nil
		}
		if err := revokeAPIKey(ctx, tx, id, s.now()); err != nil {
			return err
		}
		return writeAudit(ctx, tx, auditEntry{actor: a, action: actionAPIKeyRevoke, subject: keySubject(k.Name, k.Prefix),
			changes: []auditChange{{Path: "revoked", Old: false, New: true}}})
	})
	if hash != nil {
		// Also after a failed or no-op revoke: dropping a cache entry is always safe.
		s.keys.invalidate(hash)
	}
	return err
}

// AuthenticateAPIKey resolves a bearer secret to the actor it stands for, on
// every API request, so it is built to be fast:
//   - a malformed secret is refused without hashing or a query;
//   - a verified key is cached in memory by its hash for apiKeyCacheTTL, so a
//     busy client costs one SHA-256 and a map read per request. A revoke in
//     this process drops the entry at once; one in another process is seen
//     here within apiKeyCacheTTL (10 s), when the entry is next loaded;
//   - last use is kept in memory and written at most once a minute per key,
//     by a short-lived goroutine, so requests never wait on a write.
//
// An unknown or revoked key is apperr KindUnauthorized, code "unauthorized".
func (s *Service) AuthenticateAPIKey(ctx context.Context, secret string) (Actor, error) {
	if !wellFormed(secret) {
		return Actor{}, badKey()
	}
	h := hashSecret(secret)
	now := s.now()
	if e := s.keys.get(h, now); e != nil {
		s.touch(e, now)
		return e.actor, nil
	}
	epoch := s.keys.currentEpoch()
	k, err := getAPIKeyByHash(ctx, s.db, h[:])
	if err != nil {
		return Actor{}, err
	}
	if k == nil || k.RevokedAt != nil {
		return Actor{}, badKey()
	}
	e := newCachedKey(Actor{Kind: ActorAPIKey, ID: k.ID, Name: k.Name, Role: k.Role}, now, k.LastUsedAt)
	s.keys.put(h, e, epoch, now)
	s.touch(e, now)
	return e.actor, nil
}

func badKey() error {
	return apperr.New(apperr.KindUnauthorized, "unauthorized", "the API key is not valid")
}

// touch notes a use in memory and, when the stored last_used_at is a minute
// old, writes it in the background; the compare-and-swap lets exactly one
// request per minute and key do so.
func (s *Service) touch(e *cachedKey, now time.Time) {
	n := now.UnixNano()
	e.lastUsed.Store(n)
	stored := e.stored.Load()
	if n-stored < int64(lastUsedFlushEvery) || !e.stored.CompareAndSwap(stored, n) {
		return
	}
	id := e.actor.ID
	s.flushes.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := touchAPIKey(ctx, s.db, id, now); err != nil {
			s.log.Warn("recording API key use", "apiKey", id, "err", err)
		}
	})
}

package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/internal/validate"
)

// APIKey is what people see of a key: never the secret, which is shown once
// at creation and stored only as a hash.
type APIKey struct {
	ID        int64       `db:"id"`
	Name      string      `db:"name"`
	Role      access.Role `db:"role"`
	Prefix    string      `db:"prefix"` // the secret's first characters, to tell keys apart
	CreatedBy string      `db:"created_by"`
	CreatedAt time.Time   `db:"created_at"`
	// LastUsedAt lags real use by up to a minute (see AuthenticateAPIKey).
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
	// ExpiresAt is when the key stops working on its own; nil never.
	ExpiresAt *time.Time `db:"expires_at"`
	// OwnerID is the staff user the key acts for; nil for a service key, an
	// automation identity that is a principal of its own.
	OwnerID *int64 `db:"owner_id"`
	// OwnerName and OwnerActive describe the owner as they are now.
	OwnerName   *string `db:"owner_name"`
	OwnerActive *bool   `db:"owner_active"`
}

// KeyState is whether a key works, and if not why, for the keys page.
type KeyState string

// The states of a key; only KeyActive authenticates.
const (
	KeyActive        KeyState = "active"
	KeyRevoked       KeyState = "revoked"
	KeyExpired       KeyState = "expired"
	KeyOwnerInactive KeyState = "owner deactivated"
)

// State tells whether the key works at now.
func (k *APIKey) State(now time.Time) KeyState {
	switch {
	case k.RevokedAt != nil:
		return KeyRevoked
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return KeyExpired
	case k.OwnerActive != nil && !*k.OwnerActive:
		return KeyOwnerInactive
	}
	return KeyActive
}

// NewAPIKey is what an admin (or the CLI) fills in to issue a key.
type NewAPIKey struct {
	Name string
	Role access.Role // at most the owner's role
	// OwnerID is the staff user the key acts for. 0 means the acting staff
	// user, or the owner of an acting key; with neither (the command line's
	// System actor) the new key is a service principal of its own.
	OwnerID int64
	// Lifetime until the key expires, from MinKeyLifetime to MaxKeyLifetime;
	// 0 never expires.
	Lifetime time.Duration
}

// Bounds of NewAPIKey.Lifetime.
const (
	MinKeyLifetime = 24 * time.Hour
	MaxKeyLifetime = 5 * 366 * 24 * time.Hour
)

// ParseLifetime reads a key lifetime as the CLI and the pages write it: "90d"
// (days), a Go duration ("720h"), or "" / "never" for a key that never expires.
func ParseLifetime(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "never" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%q is not a number of days such as 90d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a lifetime such as 90d", s)
	}
	return d, nil
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

// CreateAPIKey issues a key that never expires with the given role, owned
// by whoever makes it: a staff user's key acts for them, the command line's
// (System) key is a service principal of its own. See IssueAPIKey.
func (s *Service) CreateAPIKey(ctx context.Context, a access.Actor, name string, role access.Role) (*APIKey, string, error) {
	return s.IssueAPIKey(ctx, a, NewAPIKey{Name: name, Role: role})
}

// IssueAPIKey makes a key for automation; admins (and the CLI) only. The
// owner must be an active staff user whose role is at least the key's. The
// secret is returned this once and never stored.
func (s *Service) IssueAPIKey(ctx context.Context, a access.Actor, in NewAPIKey) (*APIKey, string, error) {
	if err := requireAdmin(a, "manage API keys"); err != nil {
		return nil, "", err
	}
	name := strings.TrimSpace(in.Name)
	fe := apperr.FieldErrors{}
	if msg := validate.Text(name, validate.MaxName, true); msg != "" {
		fe.Add("name", msg)
	}
	if _, ok := access.ParseRole(string(in.Role)); !ok {
		fe.Add("role", msgRole)
	}
	if in.Lifetime != 0 && (in.Lifetime < MinKeyLifetime || in.Lifetime > MaxKeyLifetime) {
		fe.Add("expires", "must be between 1 day and 5 years, or never")
	}
	owner := in.OwnerID
	if owner == 0 {
		switch a.Kind {
		case access.ActorUser:
			owner = a.ID
		case access.ActorAPIKey:
			owner = a.OwnerID
		}
	}
	var expires *time.Time
	if in.Lifetime != 0 {
		t := s.now().Add(in.Lifetime)
		expires = &t
	}
	secret := newSecret()
	h := hashSecret(secret)
	var k *APIKey
	err := postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		ownerName := "service principal"
		if owner != 0 {
			// Locked, so the owner cannot be demoted or deactivated meanwhile.
			u, err := getUser(ctx, tx, owner, true)
			switch {
			case errors.Is(err, apperr.ErrNotFound):
				fe.Add("owner", "must be a staff account")
			case err != nil:
				return err
			case !u.Active:
				fe.Add("owner", "is deactivated")
			case fe["role"] == nil && !in.Role.Within(u.Role):
				fe.Add("role", fmt.Sprintf("may not exceed the owner's role (%s is %s)", u.Name, u.Role))
			default:
				ownerName = u.Name
			}
		}
		if err := apperr.Invalid(fe); err != nil {
			return err
		}
		var err error
		if k, err = insertAPIKey(ctx, tx, newKeyRow{name: name, role: in.Role, prefix: secret[:prefixLen], hash: h[:],
			createdBy: a.String(), owner: owner, expires: expires}, s.now()); err != nil {
			return err
		}
		changes := []audit.Change{{Path: "name", New: k.Name}, {Path: "role", New: k.Role}, {Path: "prefix", New: k.Prefix},
			{Path: "owner", New: ownerName}}
		if expires != nil {
			changes = append(changes, audit.Change{Path: "expiresAt", New: expires.UTC()})
		}
		return audit.Write(ctx, tx, audit.Record{Actor: a, Action: audit.ActionAPIKeyCreate, Subject: keySubject(k.Name, k.Prefix), Changes: changes})
	})
	if err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// UserByEmail finds a staff account by e-mail for an admin (the CLI's
// --owner); NotFound when there is none.
func (s *Service) UserByEmail(ctx context.Context, a access.Actor, email string) (*User, error) {
	if err := requireAdmin(a, "manage API keys"); err != nil {
		return nil, err
	}
	u, err := getUserByEmail(ctx, s.db, strings.TrimSpace(email))
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, apperr.NotFound("staff account " + email)
	}
	return &u.User, nil
}

// ListAPIKeys returns every key for the admin page, active ones first, with
// the last use this process has seen even if not yet written down.
func (s *Service) ListAPIKeys(ctx context.Context, a access.Actor) ([]APIKey, error) {
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
func (s *Service) RevokeAPIKey(ctx context.Context, a access.Actor, id int64) error {
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
		return audit.Write(ctx, tx, audit.Record{Actor: a, Action: audit.ActionAPIKeyRevoke, Subject: keySubject(k.Name, k.Prefix),
			Changes: []audit.Change{{Path: "revoked", Old: false, New: true}}})
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
//   - a verified key is cached in memory by its hash for apiKeyCacheTTL (or
//     until it expires, if sooner), so a busy client costs one SHA-256 and a
//     map read per request. A revoke, or a change to the owner's role or
//     activity, in this process drops the entry at once; one in another
//     process is seen here within apiKeyCacheTTL (10 s);
//   - last use is kept in memory and written at most once a minute per key,
//     by a short-lived goroutine, so requests never wait on a write.
//
// A key acts for its owner with the lower of its own role and the owner's
// current one. An unknown, revoked or expired key, or one whose owner is
// deactivated, is apperr KindUnauthorized, code "unauthorized".
func (s *Service) AuthenticateAPIKey(ctx context.Context, secret string) (access.Actor, error) {
	if !wellFormed(secret) {
		return access.Actor{}, badKey()
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
		return access.Actor{}, err
	}
	if k == nil || k.State(now) != KeyActive {
		return access.Actor{}, badKey()
	}
	a := access.Actor{Kind: access.ActorAPIKey, ID: k.ID, Name: k.Name, Role: k.Role}
	if k.OwnerID != nil {
		a.OwnerID = *k.OwnerID
		a.Name = k.Name + " of " + deref(k.OwnerName)
		if !a.Role.Within(k.ownerRole) {
			a.Role = k.ownerRole
		}
	}
	e := newCachedKey(a, now, k.LastUsedAt)
	if k.ExpiresAt != nil && k.ExpiresAt.Before(e.expires) {
		e.expires = *k.ExpiresAt
	}
	s.keys.put(h, e, epoch, now)
	s.touch(e, now)
	return e.actor, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
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

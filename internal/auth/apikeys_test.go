package auth

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
)

func TestCreateAPIKey(t *testing.T) {
	e := newEnv(t)
	admin := e.actor("ada@verity.test", access.RoleAdmin)

	t.Run("OK", func(t *testing.T) {
		k, secret, err := e.svc.CreateAPIKey(e.ctx, admin, " ci-sync ", access.RoleOfficer)
		if err != nil {
			t.Fatal(err)
		}
		if !wellFormed(secret) || !strings.HasPrefix(secret, "vk_") || len(secret) != 43 {
			t.Fatalf("secret %q is not vk_ and 40 base62 characters", secret)
		}
		if k.Name != "ci-sync" || k.Role != access.RoleOfficer || k.Prefix != secret[:10] || k.CreatedBy != "User ada@verity.test" ||
			k.LastUsedAt != nil || k.RevokedAt != nil {
			t.Fatalf("key = %+v", k)
		}
	})
	t.Run("OK/OnlyTheHashIsStored", func(t *testing.T) {
		k, secret, err := e.svc.CreateAPIKey(e.ctx, access.System("cli"), "nightly", access.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		var stored []byte
		if err := e.db.GetContext(e.ctx, &stored, `SELECT key_hash FROM api_keys WHERE id = $1`, k.ID); err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256([]byte(secret)); string(stored) != string(sum[:]) {
			t.Fatalf("key_hash = %x, want SHA-256 of the secret", stored)
		}
		// No column of any row (nor the audit trail) holds the secret or its random part.
		for _, q := range []string{`SELECT count(*) FROM api_keys t WHERE t::text LIKE '%' || $1 || '%'`,
			`SELECT count(*) FROM audit_entries t WHERE t::text LIKE '%' || $1 || '%'`} {
			if n := e.count(q, secret[10:]); n != 0 {
				t.Fatalf("the secret appears in the database: %s", q)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, _, err := e.svc.CreateAPIKey(e.ctx, admin, "  ", "root")
		ae, ok := apperr.As(err)
		if !errors.Is(err, apperr.ErrInvalid) || !ok || len(ae.Fields["name"]) == 0 || len(ae.Fields["role"]) == 0 {
			t.Fatalf("err = %v, want field errors on name and role", err)
		}
	})
	t.Run("OK/SecretsDiffer", func(t *testing.T) {
		seen := map[string]bool{}
		for range 1000 {
			s := newSecret()
			if seen[s] || !wellFormed(s) {
				t.Fatalf("secret %q repeated or malformed", s)
			}
			seen[s] = true
		}
	})
}

func TestAPIKeyLifecycle(t *testing.T) {
	e := newEnv(t)
	admin := e.actor("ada@verity.test", access.RoleAdmin)
	k, secret, err := e.svc.CreateAPIKey(e.ctx, admin, "ci-sync", access.RoleOfficer)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		for range 3 { // the first loads it from the database, the rest from the cache
			a, err := e.svc.AuthenticateAPIKey(e.ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			if a != (access.Actor{Kind: access.ActorAPIKey, ID: k.ID, Name: "ci-sync of User ada@verity.test", Role: access.RoleOfficer, OwnerID: admin.ID}) {
				t.Fatalf("actor = %+v", a)
			}
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		for _, bad := range []string{"", "vk_", secret[:42], secret + "x", secret[:42] + "-", "xx" + secret[2:], newSecret()} {
			_, err := e.svc.AuthenticateAPIKey(e.ctx, bad)
			if !errors.Is(err, &apperr.Error{Kind: apperr.KindUnauthorized, Code: "unauthorized"}) {
				t.Fatalf("AuthenticateAPIKey(%q): err = %v, want unauthorized", bad, err)
			}
		}
	})
	t.Run("OK/LastUsedAt", func(t *testing.T) {
		e.svc.flushes.Wait()
		var used *time.Time
		if err := e.db.GetContext(e.ctx, &used, `SELECT last_used_at FROM api_keys WHERE id = $1`, k.ID); err != nil {
			t.Fatal(err)
		}
		if used == nil || !used.Equal(e.clock.Now()) {
			t.Fatalf("last_used_at = %v, want %v", used, e.clock.Now())
		}
		// Within the minute: remembered in memory, not written.
		e.clock.Advance(30 * time.Second)
		if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); err != nil {
			t.Fatal(err)
		}
		e.svc.flushes.Wait()
		var stored time.Time
		_ = e.db.GetContext(e.ctx, &stored, `SELECT last_used_at FROM api_keys WHERE id = $1`, k.ID)
		if !stored.Equal(*used) {
			t.Fatalf("last_used_at written again within a minute: %v", stored)
		}
		list, err := e.svc.ListAPIKeys(e.ctx, admin)
		if err != nil || len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(e.clock.Now()) {
			t.Fatalf("ListAPIKeys = %+v, %v; want the in-memory last use", list, err)
		}
		// A minute after the last write, the next use writes again.
		e.clock.Advance(31 * time.Second)
		if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); err != nil {
			t.Fatal(err)
		}
		e.svc.flushes.Wait()
		_ = e.db.GetContext(e.ctx, &stored, `SELECT last_used_at FROM api_keys WHERE id = $1`, k.ID)
		if !stored.Equal(e.clock.Now()) {
			t.Fatalf("last_used_at = %v, want %v", stored, e.clock.Now())
		}
	})
	t.Run("ErrUnauthorized/RevokedAtOnce", func(t *testing.T) {
		if err := e.svc.RevokeAPIKey(e.ctx, admin, k.ID); err != nil {
			t.Fatal(err)
		}
		// No clock movement: the cached entry must not outlive the revoke.
		if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); !errors.Is(err, apperr.ErrUnauthorized) {
			t.Fatalf("revoked key still works: %v", err)
		}
		if err := e.svc.RevokeAPIKey(e.ctx, admin, k.ID); err != nil {
			t.Fatalf("second revoke: %v, want nil (idempotent)", err)
		}
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = $1`, audit.ActionAPIKeyRevoke); n != 1 {
			t.Fatalf("%d revoke entries, want 1", n)
		}
		list, _ := e.svc.ListAPIKeys(e.ctx, admin)
		if len(list) != 1 || list[0].RevokedAt == nil {
			t.Fatalf("list after revoke = %+v", list)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if err := e.svc.RevokeAPIKey(e.ctx, admin, k.ID+1000); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}

// A revoke made by another process (here: straight in the database) is seen
// once the cached entry expires, at most apiKeyCacheTTL later.
func TestAPIKeyRevokedElsewhere(t *testing.T) {
	e := newEnv(t)
	k, secret, err := e.svc.CreateAPIKey(e.ctx, access.System("cli"), "ci-sync", access.RoleOfficer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ExecContext(e.ctx, `UPDATE api_keys SET revoked_at = now() WHERE id = $1`, k.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(apiKeyCacheTTL - time.Second)
	if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); err != nil {
		t.Fatalf("within the TTL the cached key is still accepted: %v", err)
	}
	e.clock.Advance(time.Second)
	if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); !errors.Is(err, apperr.ErrUnauthorized) {
		t.Fatalf("after the TTL: err = %v, want unauthorized", err)
	}
}

// A lookup that read the key before a revoke must not put it back in the cache.
func TestKeyCacheEpoch(t *testing.T) {
	c := newKeyCache()
	now := time.Now()
	var h [32]byte
	epoch := c.currentEpoch()
	c.invalidate(h[:])
	c.put(h, newCachedKey(access.Actor{ID: 1}, now, nil), epoch, now)
	if c.get(h, now) != nil {
		t.Fatal("an entry read before an invalidation was cached")
	}
	c.put(h, newCachedKey(access.Actor{ID: 1}, now, nil), c.currentEpoch(), now)
	if c.get(h, now) == nil || c.get(h, now.Add(apiKeyCacheTTL)) != nil {
		t.Fatal("entry not cached, or cached past its TTL")
	}
}

func BenchmarkAuthenticateAPIKeyCached(b *testing.B) {
	s := NewService(nil, Options{})
	secret := newSecret()
	h := hashSecret(secret)
	now := time.Now()
	e := newCachedKey(access.Actor{Kind: access.ActorAPIKey, ID: 1, Name: "bench", Role: access.RoleOfficer}, now.Add(time.Hour), &now)
	s.keys.put(h, e, s.keys.currentEpoch(), now)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.AuthenticateAPIKey(b.Context(), secret); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package auth

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/migrations"
)

func TestAPIKeyPrincipal(t *testing.T) {
	e := newEnv(t)
	ada := e.user("ada@verity.test", access.RoleAdmin)
	olive := e.user("olive@verity.test", access.RoleOfficer)
	admin := ada.Actor("req")

	t.Run("OK/OwnedByWhoMadeIt", func(t *testing.T) {
		k, secret, err := e.svc.CreateAPIKey(e.ctx, admin, "crm", access.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if k.OwnerID == nil || *k.OwnerID != ada.ID {
			t.Fatalf("owner = %v, want %d", k.OwnerID, ada.ID)
		}
		a, err := e.svc.AuthenticateAPIKey(e.ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if a.Principal() != admin.Principal() || a.Key() == admin.Key() {
			t.Fatalf("key principal %q / credential %q; the admin's %q / %q: want one principal, two credentials",
				a.Principal(), a.Key(), admin.Principal(), admin.Key())
		}
		if a.Name != "crm of User ada@verity.test" || a.String() != "API key crm of User ada@verity.test" {
			t.Fatalf("actor name %q (%q), want the key of its owner", a.Name, a.String())
		}
	})
	t.Run("OK/ServicePrincipals", func(t *testing.T) {
		var principals []string
		for _, name := range []string{"nightly", "hourly"} {
			k, secret, err := e.svc.CreateAPIKey(e.ctx, access.System("cli"), name, access.RoleAdmin)
			if err != nil {
				t.Fatal(err)
			}
			if k.OwnerID != nil {
				t.Fatalf("CLI key without --owner has owner %d", *k.OwnerID)
			}
			a, err := e.svc.AuthenticateAPIKey(e.ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			if a.Name != name {
				t.Fatalf("service key actor name %q, want %q", a.Name, name)
			}
			principals = append(principals, a.Principal())
		}
		if principals[0] == principals[1] || !strings.HasPrefix(principals[0], "apikey:") {
			t.Fatalf("two service keys are principals %v, want two different ones", principals)
		}
	})
	t.Run("ErrInvalid/RoleAboveOwner", func(t *testing.T) {
		_, _, err := e.svc.IssueAPIKey(e.ctx, admin, NewAPIKey{Name: "escalate", Role: access.RoleAdmin, OwnerID: olive.ID})
		if ae, ok := apperr.As(err); !ok || len(ae.Fields["role"]) == 0 {
			t.Fatalf("err = %v, want a field error on role", err)
		}
		if _, _, err := e.svc.IssueAPIKey(e.ctx, admin, NewAPIKey{Name: "olive's", Role: access.RoleOfficer, OwnerID: olive.ID}); err != nil {
			t.Fatalf("a key within the owner's role: %v", err)
		}
	})
	t.Run("ErrInvalid/Owner", func(t *testing.T) {
		for _, owner := range []int64{olive.ID + 1000} {
			_, _, err := e.svc.IssueAPIKey(e.ctx, admin, NewAPIKey{Name: "ghost", Role: access.RoleViewer, OwnerID: owner})
			if ae, ok := apperr.As(err); !ok || len(ae.Fields["owner"]) == 0 {
				t.Fatalf("err = %v, want a field error on owner", err)
			}
		}
	})
	t.Run("ErrInvalid/Lifetime", func(t *testing.T) {
		for _, d := range []time.Duration{time.Hour, 6 * 366 * 24 * time.Hour} {
			_, _, err := e.svc.IssueAPIKey(e.ctx, admin, NewAPIKey{Name: "odd", Role: access.RoleViewer, Lifetime: d})
			if ae, ok := apperr.As(err); !ok || len(ae.Fields["expires"]) == 0 {
				t.Fatalf("lifetime %s: err = %v, want a field error on expires", d, err)
			}
		}
	})
	t.Run("OK/AuditNamesOwner", func(t *testing.T) {
		var owner string
		if err := e.db.GetContext(e.ctx, &owner, `SELECT c->>'new' FROM audit_entries, jsonb_array_elements(changes_json::jsonb) c
			WHERE action = 'apikey.create' AND subject LIKE 'olive''s (%' AND c->>'path' = 'owner'`); err != nil {
			t.Fatal(err)
		}
		if owner != "User olive@verity.test" {
			t.Fatalf("apikey.create names owner %q, want the owner", owner)
		}
	})
}

// A key stops working when its owner is deactivated: at once in the process
// that deactivated them, within the cache TTL in any other.
func TestAPIKeyOwnerDeactivated(t *testing.T) {
	e := newEnv(t)
	ada := e.actor("ada@verity.test", access.RoleAdmin)
	olive := e.user("olive@verity.test", access.RoleOfficer)
	_, secret, err := e.svc.IssueAPIKey(e.ctx, ada, NewAPIKey{Name: "olive's", Role: access.RoleOfficer, OwnerID: olive.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); err != nil { // now cached
		t.Fatal(err)
	}

	t.Run("ErrUnauthorized/AtOnceHere", func(t *testing.T) {
		if _, err := e.svc.SetActive(e.ctx, ada, olive.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); !errors.Is(err, apperr.ErrUnauthorized) {
			t.Fatalf("key of a deactivated owner: err = %v, want unauthorized", err)
		}
		list, _ := e.svc.ListAPIKeys(e.ctx, ada)
		if len(list) != 1 || list[0].State(e.clock.Now()) != KeyOwnerInactive {
			t.Fatalf("list = %+v, want the key shown as owner deactivated", list)
		}
	})
	t.Run("OK/Reactivated", func(t *testing.T) {
		if _, err := e.svc.SetActive(e.ctx, ada, olive.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); err != nil {
			t.Fatalf("key of a reactivated owner: %v", err)
		}
	})
	t.Run("ErrUnauthorized/ElsewhereWithinTTL", func(t *testing.T) {
		if _, err := e.db.ExecContext(e.ctx, `UPDATE staff_users SET active = false WHERE id = $1`, olive.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(apiKeyCacheTTL)
		if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); !errors.Is(err, apperr.ErrUnauthorized) {
			t.Fatalf("after the TTL: err = %v, want unauthorized", err)
		}
	})
}

// A key never acts above its owner's current role.
func TestAPIKeyOwnerDemoted(t *testing.T) {
	e := newEnv(t)
	ada := e.actor("ada@verity.test", access.RoleAdmin)
	grace := e.user("grace@verity.test", access.RoleAdmin)
	_, secret, err := e.svc.IssueAPIKey(e.ctx, ada, NewAPIKey{Name: "grace's", Role: access.RoleAdmin, OwnerID: grace.ID})
	if err != nil {
		t.Fatal(err)
	}
	if a, err := e.svc.AuthenticateAPIKey(e.ctx, secret); err != nil || a.Role != access.RoleAdmin {
		t.Fatalf("actor %+v, %v", a, err)
	}
	if _, err := e.svc.SetRole(e.ctx, ada, grace.ID, access.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if a, err := e.svc.AuthenticateAPIKey(e.ctx, secret); err != nil || a.Role != access.RoleViewer {
		t.Fatalf("after the owner became a viewer: actor %+v, %v; want role viewer", a, err)
	}
}

func TestAPIKeyExpiry(t *testing.T) {
	e := newEnv(t)
	ada := e.actor("ada@verity.test", access.RoleAdmin)
	k, secret, err := e.svc.IssueAPIKey(e.ctx, ada, NewAPIKey{Name: "quarterly", Role: access.RoleOfficer, Lifetime: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if want := e.clock.Now().Add(90 * 24 * time.Hour); k.ExpiresAt == nil || !k.ExpiresAt.Equal(want) {
		t.Fatalf("expires_at = %v, want %v", k.ExpiresAt, want)
	}
	e.clock.Advance(90*24*time.Hour - time.Second)
	if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); err != nil { // cached, but not past the expiry
		t.Fatalf("a second before expiry: %v", err)
	}
	e.clock.Advance(time.Second)
	if _, err := e.svc.AuthenticateAPIKey(e.ctx, secret); !errors.Is(err, apperr.ErrUnauthorized) {
		t.Fatalf("expired key: err = %v, want unauthorized", err)
	}
	list, _ := e.svc.ListAPIKeys(e.ctx, ada)
	if len(list) != 1 || list[0].State(e.clock.Now()) != KeyExpired {
		t.Fatalf("list = %+v, want the key shown as expired", list)
	}
}

func TestParseLifetime(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "never": 0, "90d": 90 * 24 * time.Hour, "720h": 720 * time.Hour, " 1d ": 24 * time.Hour} {
		if got, err := ParseLifetime(in); err != nil || got != want {
			t.Errorf("ParseLifetime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0d", "-3d", "d", "90 days", "forever", "-1h"} {
		if _, err := ParseLifetime(in); err == nil {
			t.Errorf("ParseLifetime(%q) accepted", in)
		}
	}
}

// The migration gives each existing key the staff user whose audit entry
// says they created it, leaves CLI keys as service principals, and moves
// those keys' last_editor marks to their owners.
func TestMigrationBackfillsOwners(t *testing.T) {
	e := newEnv(t)
	ada := e.user("ada@verity.test", access.RoleAdmin)
	provider, err := goose.NewProvider(goose.DialectPostgres, e.db.DB, migrations.FS, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	const version = 4 // 00004_api_key_principals.sql
	if _, err := provider.ApplyVersion(e.ctx, version, false); err != nil {
		t.Fatal(err)
	}
	// Rows as the previous release wrote them.
	for _, q := range []string{
		`INSERT INTO api_keys (id, name, role, prefix, key_hash, created_by) VALUES
		   (1, 'crm', 'admin', 'vk_AAAAAAA', '\x01', 'User ada@verity.test'),
		   (2, 'nightly', 'officer', 'vk_BBBBBBB', '\x02', 'system'),
		   (3, 'crm', 'officer', 'vk_CCCCCCC', '\x03', 'User ada@verity.test')`,
		`INSERT INTO audit_entries (actor_type, actor_id, actor_name, action, subject) VALUES
		   ('user', $1, 'User ada@verity.test', 'apikey.create', 'crm (vk_AAAAAAA…)'),
		   ('system', NULL, 'system', 'apikey.create', 'nightly (vk_BBBBBBB…)'),
		   ('user', $1, 'User ada@verity.test', 'apikey.revoke', 'crm (vk_CCCCCCC…)')`,
		`INSERT INTO customers (reference, risk_score, name, tax_residence_country_code, registration_number, address_line1,
		   city, postal_code, country_code, verification_url, verification_status, last_editor)
		 SELECT gen_random_uuid(), 'LOW', 'Co ' || n, 'US', 'R' || n, '1 Main St', 'NYC', '10001', 'US', 'https://v', 'pending', ed
		 FROM unnest(ARRAY['apikey:1', 'apikey:2', 'apikey:3', 'user:9']) WITH ORDINALITY AS t(ed, n)`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, ada.ID)
		}
		if _, err := e.db.ExecContext(e.ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := provider.ApplyVersion(e.ctx, version, true); err != nil {
		t.Fatal(err)
	}
	var owners []string
	if err := e.db.SelectContext(e.ctx, &owners, `SELECT coalesce(owner_id::text, 'nil') FROM api_keys ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(owners, " ") != strconv.FormatInt(ada.ID, 10)+" nil nil" {
		t.Fatalf("owners %v, want [%d nil nil]: created in the pages → its creator, else a service principal", owners, ada.ID)
	}
	var editors []string
	if err := e.db.SelectContext(e.ctx, &editors, `SELECT last_editor FROM customers ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"user:" + strconv.FormatInt(ada.ID, 10), "apikey:2", "apikey:3", "user:9"}; strings.Join(editors, " ") != strings.Join(want, " ") {
		t.Fatalf("last editors %v, want %v", editors, want)
	}
}

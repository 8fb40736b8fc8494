package customer_test

import (
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

// Four-eyes compares principals: a person's page edits and the API keys they
// own are one principal; each service key is one of its own.
func TestFourEyesPrincipals(t *testing.T) {
	e := newEnv(t)
	adaKey := access.Actor{Kind: access.ActorAPIKey, ID: 50, Name: "crm of Ada Admin", Role: access.RoleAdmin, OwnerID: admin.ID}
	alanKey := access.Actor{Kind: access.ActorAPIKey, ID: 51, Name: "crm of Alan Admin", Role: access.RoleAdmin, OwnerID: admin2.ID}
	serviceA := access.Actor{Kind: access.ActorAPIKey, ID: 60, Name: "nightly", Role: access.RoleAdmin}
	serviceB := access.Actor{Kind: access.ActorAPIKey, ID: 61, Name: "hourly", Role: access.RoleAdmin}
	verify := customer.StatusChange{Status: "VERIFIED"}
	edit := func(a access.Actor, c *customer.Customer) {
		t.Helper()
		if _, err := e.svc.Update(e.ctx, a, c.Reference, decode[customer.DetailsUpdate](t, `{"description": "edited by `+a.Name+`"}`), nil); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("ErrFourEyes/PageEditApprovedWithOwnKey", func(t *testing.T) {
		c := e.create(officer, seedInput)
		edit(admin, c)
		_, err := e.svc.SetStatus(e.ctx, adaKey, c.Reference, verify, nil, false)
		wantKind(t, err, apperr.ErrConflict, "four_eyes")
		if n := e.count(`SELECT count(*) FROM customers WHERE reference = $1 AND last_editor = $2`, c.Reference, "user:2"); n != 1 {
			t.Fatal("last_editor is not the person")
		}
	})
	t.Run("ErrFourEyes/KeyEditApprovedOnThePage", func(t *testing.T) {
		c := e.create(officer, seedInput)
		edit(adaKey, c)
		if n := e.count(`SELECT count(*) FROM customers WHERE reference = $1 AND last_editor = 'user:2'`, c.Reference); n != 1 {
			t.Fatal("a key's edit is not recorded as its owner's")
		}
		_, err := e.svc.SetStatus(e.ctx, admin, c.Reference, verify, nil, false)
		wantKind(t, err, apperr.ErrConflict, "four_eyes")
		if acts := e.svc.ActionsFor(admin, e.get(c)); len(acts.ApproveBlockers) != 1 || acts.ApproveBlockers[0].Code != customer.ProblemFourEyes {
			t.Fatalf("the page must say why: %v", acts.ApproveBlockers)
		}
		// The audit trail still names the key and whose it is.
		if n := e.count(`SELECT count(*) FROM audit_entries WHERE actor_type = 'apikey' AND actor_id = 50 AND actor_name = 'crm of Ada Admin'`); n == 0 {
			t.Fatal("the audit entry does not name the key of its owner")
		}
	})
	t.Run("OK/AnotherPersonsKeyApproves", func(t *testing.T) {
		c := e.create(officer, seedInput)
		edit(admin, c)
		if _, err := e.svc.SetStatus(e.ctx, alanKey, c.Reference, verify, nil, false); err != nil {
			t.Fatalf("a key of another admin may approve: %v", err)
		}
	})
	t.Run("OK/TwoServiceKeysAreTwoPrincipals", func(t *testing.T) {
		c := e.create(officer, seedInput)
		edit(serviceA, c)
		_, err := e.svc.SetStatus(e.ctx, serviceA, c.Reference, verify, nil, false)
		wantKind(t, err, apperr.ErrConflict, "four_eyes")
		if _, err := e.svc.SetStatus(e.ctx, serviceB, c.Reference, verify, nil, false); err != nil {
			t.Fatalf("another service key may approve: %v", err)
		}
	})
	// A binary of the previous release, running beside this one during a
	// deploy, records the key ('apikey:N'); its owner still may not approve.
	t.Run("ErrFourEyes/KeyRecordedByAnOlderBinary", func(t *testing.T) {
		var ownerID, keyID int64
		if err := e.db.GetContext(e.ctx, &ownerID, `INSERT INTO staff_users (email, name, role, password_hash)
			VALUES ('ada@verity.test', 'Ada Admin', 'admin', 'x') RETURNING id`); err != nil {
			t.Fatal(err)
		}
		if err := e.db.GetContext(e.ctx, &keyID, `INSERT INTO api_keys (name, role, prefix, key_hash, created_by, owner_id)
			VALUES ('crm', 'admin', 'vk_x', '\x01', 'Ada Admin', $1) RETURNING id`, ownerID); err != nil {
			t.Fatal(err)
		}
		c := e.create(officer, seedInput)
		if _, err := e.db.ExecContext(e.ctx, `UPDATE customers SET last_editor = 'apikey:' || $2 WHERE reference = $1`, c.Reference, keyID); err != nil {
			t.Fatal(err)
		}
		owner := access.Actor{Kind: access.ActorUser, ID: ownerID, Name: "Ada Admin", Role: access.RoleAdmin}
		_, err := e.svc.SetStatus(e.ctx, owner, c.Reference, verify, nil, false)
		wantKind(t, err, apperr.ErrConflict, "four_eyes")
	})
}

// Idempotency keys stay scoped per credential: the same Idempotency-Key from
// a person's two keys names two different requests.
func TestIdempotencyScopePerCredential(t *testing.T) {
	e := newEnv(t)
	k1 := access.Actor{Kind: access.ActorAPIKey, ID: 50, Name: "crm of Ada Admin", Role: access.RoleAdmin, OwnerID: admin.ID}
	k2 := access.Actor{Kind: access.ActorAPIKey, ID: 52, Name: "etl of Ada Admin", Role: access.RoleAdmin, OwnerID: admin.ID}
	in := decode[customer.CreateInput](t, seedInput)
	first, _, err := e.svc.Create(e.ctx, k1, in, &customer.Idempotency{Key: "same", Body: []byte(seedInput)})
	if err != nil {
		t.Fatal(err)
	}
	second, replayed, err := e.svc.Create(e.ctx, k2, in, &customer.Idempotency{Key: "same", Body: []byte(seedInput)})
	if err != nil || replayed || second.Reference == first.Reference {
		t.Fatalf("second key: replayed=%v err=%v; want a new customer", replayed, err)
	}
}

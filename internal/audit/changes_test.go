package audit_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/migrations"
)

// An entry's changes live in changes_json from migration 00017 on, and in
// changes (jsonb) before it or when an older binary wrote the entry during a
// rolling deploy: every reader finds both (audit.ChangesSQL).
func TestChangesOfOlderAndNewerEntries(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	admin := access.Actor{Kind: access.ActorUser, ID: 1, Name: "Ada Admin", Role: access.RoleAdmin}
	var in customer.CreateInput
	if err := jsonDecode(company, &in); err != nil {
		t.Fatal(err)
	}
	c, _, err := customer.NewService(db, customer.Options{}).Create(ctx, admin, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	// As an older binary writes an entry: the changes in the jsonb column.
	if _, err := db.ExecContext(ctx, `INSERT INTO audit_entries (actor_type, actor_id, actor_name, action, customer_id, changes)
		VALUES ('user', 1, 'Ada Admin', 'customer.update', $1, '[{"path": "company.name", "old": "Fjord", "new": "Fjord Shipping"}]')`, c.ID); err != nil {
		t.Fatal(err)
	}
	newer := []audit.Change{{Path: "company.description", Old: nil, New: `quotes " and \ and é`}}
	if err := audit.Write(ctx, db, audit.Record{Actor: admin, Action: audit.ActionCustomerUpdate, CustomerID: &c.ID, Changes: newer}); err != nil {
		t.Fatal(err)
	}

	t.Run("OK_NewerEntryIsStoredAsEncoded", func(t *testing.T) {
		var stored string
		var old []byte
		if err := db.QueryRowContext(ctx, `SELECT changes_json::text, changes::text FROM audit_entries ORDER BY id DESC LIMIT 1`).Scan(&stored, &old); err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(newer)
		if err != nil {
			t.Fatal(err)
		}
		if stored != string(want) {
			t.Fatalf("changes_json %s, want the bytes encoded %s", stored, want)
		}
		if string(old) != "[]" {
			t.Fatalf("a newer entry leaves changes at its default, got %s", old)
		}
	})
	older := []audit.Change{{Path: "company.name", Old: "Fjord", New: "Fjord Shipping"}}
	t.Run("OK_ListByCustomer", func(t *testing.T) {
		got, err := audit.ListByCustomer(ctx, db, c.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || !reflect.DeepEqual(got[0].Changes, newer) || !reflect.DeepEqual(got[1].Changes, older) || len(got[2].Changes) == 0 {
			t.Fatalf("entries %+v: want the newer, the older and the creation with their changes", got)
		}
	})
	t.Run("OK_Latest", func(t *testing.T) {
		got, err := audit.Latest(ctx, db, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Changes, newer) {
			t.Fatalf("latest changes %+v, want %+v", got.Changes, newer)
		}
	})
	t.Run("OK_Log", func(t *testing.T) {
		got, err := audit.NewLog(db).List(ctx, admin, audit.Filter{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || !reflect.DeepEqual(got[0].Changes, newer) || !reflect.DeepEqual(got[1].Changes, older) {
			t.Fatalf("log %+v: want the newer and the older entry with their changes", got)
		}
	})
}

// Migration 00017's way down keeps every entry's changes: those written to
// changes_json go back into changes before the column is dropped.
func TestChangesMigrationDownKeepsChanges(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	admin := access.Actor{Kind: access.ActorUser, ID: 1, Name: "Ada Admin", Role: access.RoleAdmin}
	changes := []audit.Change{{Path: "role", Old: "officer", New: "viewer"}}
	if err := audit.Write(ctx, db, audit.Record{Actor: admin, Action: audit.ActionUserUpdate, Subject: "olive@bank.test", Changes: changes}); err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB, migrations.FS, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 16); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.GetContext(ctx, &got, `SELECT changes::text FROM audit_entries WHERE action = $1`, audit.ActionUserUpdate); err != nil {
		t.Fatal(err)
	}
	if want := `[{"new": "viewer", "old": "officer", "path": "role"}]`; got != want {
		t.Fatalf("after migrating down, changes %s, want %s", got, want)
	}
	if _, err := db.ExecContext(ctx, `UPDATE audit_entries SET reason = 'x'`); err == nil {
		t.Fatal("the way down left the trail open to updates")
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
}

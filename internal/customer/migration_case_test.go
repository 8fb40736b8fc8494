package customer_test

import (
	"context"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/migrations"
)

// TestCaseMigrationBackfill: migration 00006 gives every existing customer
// its time in queue — the latest status change in the audit trail, else its
// creation — and afterwards a status change by any binary (here plain SQL,
// as the previous release writes it) moves status_since.
func TestCaseMigrationBackfill(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB, migrations.FS, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	changed := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var withTrail, without int64
	insert := `INSERT INTO customers (reference, status, risk_score, name, tax_residence_country_code, registration_number,
  address_line1, city, postal_code, country_code, verification_url, verification_status, created_at, updated_at)
VALUES (gen_random_uuid(), $1, 'LOW', 'Old Co', 'GB', '1', '1 St', 'London', 'N1', 'GB', 'https://v/x', 'pending', $2, $2) RETURNING id`
	if err := db.GetContext(ctx, &withTrail, insert, "VERIFIED", created); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &without, insert, "PENDING", created); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{changed.Add(-time.Hour), changed} {
		if _, err := db.ExecContext(ctx, `INSERT INTO audit_entries (occurred_at, actor_type, actor_name, action, customer_id)
VALUES ($1, 'system', 'test', 'customer.status', $2)`, at, withTrail); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.UpTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	since := func(id int64) time.Time {
		var ts time.Time
		if err := db.GetContext(ctx, &ts, `SELECT status_since FROM customers WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return ts.UTC()
	}
	if got := since(withTrail); !got.Equal(changed) {
		t.Errorf("with a status change in the trail: %v, want %v", got, changed)
	}
	if got := since(without); !got.Equal(created) {
		t.Errorf("without: %v, want the creation %v", got, created)
	}
	if _, err := db.ExecContext(ctx, `UPDATE customers SET status = 'REJECTED' WHERE id = $1`, without); err != nil {
		t.Fatal(err)
	}
	if got := since(without); time.Since(got) > time.Minute {
		t.Errorf("a status change by plain SQL left status_since at %v", got)
	}
	if _, err := db.ExecContext(ctx, `UPDATE customers SET name = 'Renamed' WHERE id = $1`, withTrail); err != nil {
		t.Fatal(err)
	}
	if got := since(withTrail); !got.Equal(changed) {
		t.Errorf("a rename moved status_since to %v", got)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
}

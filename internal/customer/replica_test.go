package customer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
)

// TestListAndExportReadTheReplica pauses the replica's replay, so a customer
// created afterwards exists on the primary only: the list, its counts and the
// export must then miss it, unless the request asks for the primary or the
// replica is unusable — and the single-customer read always sees it.
func TestListAndExportReadTheReplica(t *testing.T) {
	r := pgtest.NewReplicated(t)
	usable := true
	e := &env{t: t, db: r.DB, ctx: context.Background(),
		svc: customer.NewService(r.DB, customer.Options{FourEyes: true, VerifyBaseURL: verifyBase,
			ReadDB: r.ReadDB, ReadUsable: func() bool { return usable }})}
	sys := access.System("setup")
	old := e.create(sys, seedInput)
	r.CaughtUp(t)
	if _, err := r.ReadDB.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	fresh := e.create(sys, strings.Replace(strings.Replace(seedInput, "Bond Holdings", "Fresh Ltd", 1), "21-4532998", "NEW-1", 1))

	names := func(ctx context.Context) (string, int64) {
		t.Helper()
		p, err := e.svc.List(ctx, viewer, customer.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range p.Content {
			out = append(out, c.Company.Name)
		}
		return strings.Join(out, ","), p.TotalElements
	}
	exported := func(ctx context.Context) int {
		t.Helper()
		n := 0
		if err := e.svc.Export(ctx, viewer, customer.Filter{}, nil, func(*customer.ExportRow) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got, total := names(e.ctx); got != old.Company.Name || total != 1 {
		t.Fatalf("list from the paused replica: %q (total %d), want only %q", got, total, old.Company.Name)
	}
	if n := exported(e.ctx); n != 1 {
		t.Fatalf("export from the paused replica: %d rows, want 1", n)
	}
	primary := customer.ReadPrimary(e.ctx)
	if got, total := names(primary); got != "Fresh Ltd,Bond Holdings" || total != 2 {
		t.Fatalf("list after a write (primary): %q (total %d)", got, total)
	}
	if n := exported(primary); n != 2 {
		t.Fatalf("export after a write (primary): %d rows, want 2", n)
	}
	if got := e.get(fresh); got.Company.Name != "Fresh Ltd" {
		t.Fatalf("get reads the primary: %q", got.Company.Name)
	}
	usable = false
	if got, total := names(e.ctx); total != 2 {
		t.Fatalf("list with the replica unusable: %q (total %d), want both from the primary", got, total)
	}
}

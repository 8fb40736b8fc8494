package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const company = `{"riskScore": "LOW", "company": {"name": "Fjord Shipping", "taxResidenceCountryCode": "NO",
  "registrationNumber": "NO-1", "address": {"addressLine1": "Kai 1", "city": "Bergen", "postalCode": "5003",
  "countryCode": "NO", "country": "Norway"}, "associates": []}}`

func TestLog(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	admin := access.Actor{Kind: access.ActorUser, ID: 1, Name: "Ada Admin", Role: access.RoleAdmin}
	sys := access.System("test")
	as := auth.NewService(db, auth.Options{})
	u, err := as.CreateUser(ctx, sys, auth.NewUser{Email: "olive@bank.test", Name: "Olive Officer", Role: access.RoleOfficer, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	olive := u.Actor("r1")
	cs := customer.NewService(db, customer.Options{})
	var in customer.CreateInput
	if err := jsonDecode(company, &in); err != nil {
		t.Fatal(err)
	}
	c, _, err := cs.Create(ctx, olive, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AddNote(ctx, olive, c.Reference, customer.NoteInput{Text: ptr("checked")}); err != nil {
		t.Fatal(err)
	}
	anon := access.Actor{Kind: access.ActorAnonymous, Name: "mallory@evil.test"}
	if err := audit.Write(ctx, db, audit.Record{Actor: anon, Action: audit.ActionLoginFailed, Subject: "10.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	log := audit.NewLog(db)

	t.Run("ErrForbidden", func(t *testing.T) {
		for _, r := range []access.Role{access.RoleViewer, access.RoleOfficer} {
			_, err := log.List(ctx, access.Actor{Kind: access.ActorUser, Role: r}, audit.Filter{}, 10)
			if !errors.Is(err, apperr.ErrForbidden) {
				t.Fatalf("%s: want forbidden, got %v", r, err)
			}
			err = log.Each(ctx, access.Actor{Kind: access.ActorUser, Role: r}, audit.Filter{}, func(*audit.LogEntry) error { return nil })
			if !errors.Is(err, apperr.ErrForbidden) {
				t.Fatalf("%s export: want forbidden, got %v", r, err)
			}
		}
	})
	actions := func(f audit.Filter, limit int) []string {
		t.Helper()
		es, err := log.List(ctx, admin, f, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Action)
		}
		return out
	}
	eq := func(got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("got %v, want %v", got, want)
			}
		}
	}
	t.Run("OK_All", func(t *testing.T) {
		eq(actions(audit.Filter{}, 10), "auth.login_failed", "customer.note", "customer.create", "staff.create")
	})
	t.Run("OK_Kind", func(t *testing.T) {
		eq(actions(audit.Filter{Kind: "customer"}, 10), "customer.note", "customer.create")
		eq(actions(audit.Filter{Kind: "auth"}, 10), "auth.login_failed")
		_, err := log.List(ctx, admin, audit.Filter{Kind: "customer.create"}, 10)
		if !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("unknown kind: %v", err)
		}
	})
	t.Run("OK_Actor", func(t *testing.T) {
		eq(actions(audit.Filter{Actor: "OLIVE@bank"}, 10), "customer.note", "customer.create") // by e-mail
		eq(actions(audit.Filter{Actor: "officer"}, 10), "customer.note", "customer.create")    // by name
		eq(actions(audit.Filter{Actor: "mallory"}, 10), "auth.login_failed")
		eq(actions(audit.Filter{Actor: "%"}, 10)) // taken literally
		eq(actions(audit.Filter{Actor: "olive@", Kind: "customer"}, 1), "customer.note")
		eq(actions(audit.Filter{Actor: "Olive", Before: 1 << 40}, 1), "customer.note")
	})
	t.Run("OK_Customer", func(t *testing.T) {
		eq(actions(audit.Filter{Customer: c.Reference.String()}, 10), "customer.note", "customer.create")
		eq(actions(audit.Filter{Customer: "fjord"}, 10), "customer.note", "customer.create")
		eq(actions(audit.Filter{Customer: "nobody"}, 10))
	})
	t.Run("OK_Dates", func(t *testing.T) {
		now := time.Now()
		eq(actions(audit.Filter{From: now.Add(time.Hour)}, 10))
		eq(actions(audit.Filter{Until: now.Add(-time.Hour)}, 10))
		if n := len(actions(audit.Filter{From: now.Add(-time.Hour), Until: now.Add(time.Hour)}, 10)); n != 4 {
			t.Fatalf("in range: %d", n)
		}
	})
	t.Run("OK_KeysetPages", func(t *testing.T) {
		first, err := log.List(ctx, admin, audit.Filter{}, 3)
		if err != nil {
			t.Fatal(err)
		}
		eq(actions(audit.Filter{Before: first[1].ID}, 10), "customer.create", "staff.create")
		if first[1].CustomerName == nil || *first[1].CustomerName != "Fjord Shipping" || *first[1].CustomerRef != c.Reference {
			t.Fatalf("customer of the entry: %+v", first[1])
		}
	})
	t.Run("OK_EachStreamsTheSameEntries", func(t *testing.T) {
		var got []string
		err := log.Each(ctx, admin, audit.Filter{Kind: "customer"}, func(e *audit.LogEntry) error {
			got = append(got, e.Action)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		eq(got, "customer.note", "customer.create")
	})
}

func ptr[T any](v T) *T { return &v }

func jsonDecode(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// TestLogDocumentKind: the documents' entries (document.upload,
// document.review) are a kind of their own.
func TestLogDocumentKind(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	admin := access.Actor{Kind: access.ActorUser, ID: 1, Name: "Ada Admin", Role: access.RoleAdmin}
	for _, action := range []string{"customer.note", "document.upload", "document.review", "staff.create"} {
		if err := audit.Write(ctx, db, audit.Record{Actor: admin, Action: action}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := audit.NewLog(db).List(ctx, admin, audit.Filter{Kind: "document"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != "document.review" || got[1].Action != "document.upload" {
		t.Fatalf("document kind: %+v", got)
	}
}

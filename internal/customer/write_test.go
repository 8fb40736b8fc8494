package customer_test

import (
	"context"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
)

// commandOf reads the transaction and the command within it that wrote a row
// (xmin, cmin): rows written by one statement share both.
func (e *env) commandOf(query string, args ...any) string {
	e.t.Helper()
	var s string
	if err := e.db.GetContext(e.ctx, &s, `SELECT xmin::text || '/' || cmin::text FROM `+query, args...); err != nil {
		e.t.Fatalf("command of %q: %v", query, err)
	}
	return s
}

// TestWriteIsOneStatement: a details edit, an associates replacement and a
// status change each write the customer row, their rows (associates, note)
// and the audit entry in one statement of one transaction — one round trip,
// with the entry still in the change's transaction.
func TestWriteIsOneStatement(t *testing.T) {
	e := newEnv(t)
	c := e.create(admin2, seedInput)
	rowAndEntry := func(t *testing.T) (string, string) {
		t.Helper()
		row := e.commandOf(`customers WHERE id = $1`, c.ID)
		entry := e.commandOf(`audit_entries WHERE customer_id = $1 ORDER BY id DESC LIMIT 1`, c.ID)
		return row, entry
	}

	t.Run("OK_Details", func(t *testing.T) {
		if _, err := e.svc.Update(e.ctx, officer, c.Reference, decode[customer.DetailsUpdate](t, `{"description": "One statement"}`), nil); err != nil {
			t.Fatal(err)
		}
		if row, entry := rowAndEntry(t); row != entry {
			t.Fatalf("customer row written by %s, its audit entry by %s", row, entry)
		}
	})
	t.Run("OK_Associates", func(t *testing.T) {
		body := `{"associates": [` + person("Sean", "Bond", "sean.bond@disney.com", "") + `, ` +
			person("Ann", "Other", "ann@example.com", "") + `]}`
		if _, err := e.replace(c, body); err != nil {
			t.Fatal(err)
		}
		row, entry := rowAndEntry(t)
		assoc := e.commandOf(`associates WHERE customer_id = $1 ORDER BY position LIMIT 1`, c.ID)
		if row != entry || assoc != entry {
			t.Fatalf("customer row written by %s, associates by %s, audit entry by %s", row, assoc, entry)
		}
	})
	t.Run("OK_StatusWithNote", func(t *testing.T) {
		got, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "REJECTED", Reason: ptr("No documents")}, nil, true)
		if err != nil {
			t.Fatal(err)
		}
		row, entry := rowAndEntry(t)
		note := e.commandOf(`customer_notes WHERE customer_id = $1 ORDER BY id DESC LIMIT 1`, c.ID)
		if row != entry || note != entry {
			t.Fatalf("customer row written by %s, note by %s, audit entry by %s", row, note, entry)
		}
		n := e.count(`SELECT count(*) FROM customer_notes n JOIN audit_entries a ON a.id = n.status_entry_id
WHERE n.customer_id = $1 AND n.body = 'No documents' AND n.author_type = a.actor_type AND n.author_id = a.actor_id
  AND n.author_name = a.actor_name AND n.status_from = 'PENDING' AND n.status_to = 'REJECTED' AND n.created_at = $2`, c.ID, got.UpdatedAt)
		if n != 1 {
			t.Fatal("the note must be the status change's: its entry, author, reason, statuses and time")
		}
	})
	t.Run("OK_ReviewConfirmWithNote", func(t *testing.T) {
		v := e.verified()
		e.update(officer, v, `{"name": "Bond Group"}`)
		if _, err := e.svc.ConfirmReview(e.ctx, admin, v.Reference, "Registry checked", nil, true); err != nil {
			t.Fatal(err)
		}
		row := e.commandOf(`customers WHERE id = $1`, v.ID)
		entry := e.commandOf(`audit_entries WHERE customer_id = $1 ORDER BY id DESC LIMIT 1`, v.ID)
		note := e.commandOf(`customer_notes WHERE customer_id = $1 AND body = 'Registry checked'`, v.ID)
		if row != entry || note != entry {
			t.Fatalf("customer row written by %s, note by %s, audit entry by %s", row, note, entry)
		}
	})
}

// TestReplaceAssociatesReordered: associates kept in a new order keep their
// e-mail and document while the old rows are replaced in the same statement,
// so the unique indexes must see the old rows gone first.
func TestReplaceAssociatesReordered(t *testing.T) {
	e := newEnv(t)
	c := e.create(admin2, seedInput)
	first := `{"person": {"firstName": "Sean", "lastName": "Bond"}, "details": {"contactInfo": {"emailAddress": "sean.bond@disney.com"},
  "documentInfo": {"number": "123456789", "type": "DRIVERS_LICENSE", "issuingCountryCode": "US"}}, "title": "CEO"}`
	second := `{"person": {"firstName": "Ann", "lastName": "Other"}, "details": {"contactInfo": {"emailAddress": "ann@example.com"},
  "documentInfo": {"number": "A1", "type": "PASSPORT", "issuingCountryCode": "US"}}, "title": "CFO"}`
	before, err := e.replace(c, `{"associates": [`+first+`, `+second+`]}`)
	if err != nil {
		t.Fatal(err)
	}
	after, err := e.replace(c, `{"associates": [`+second+`, `+first+`]}`)
	if err != nil {
		t.Fatalf("reordering kept associates: %v", err)
	}
	got := e.get(c).Company.Associates
	if len(got) != 2 || got[0].Person.Reference != before.Company.Associates[1].Person.Reference ||
		got[1].Person.Reference != before.Company.Associates[0].Person.Reference || after.Version != before.Version+1 {
		t.Fatalf("want the two associates swapped with their references, got %+v", got)
	}
	if n := e.count(`SELECT count(*) FROM associates WHERE customer_id = $1`, c.ID); n != 2 {
		t.Fatalf("%d associate rows, want 2", n)
	}
	if _, err := e.replace(c, `{"associates": []}`); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM associates WHERE customer_id = $1`, c.ID); n != 0 {
		t.Fatalf("an empty list left %d associate rows", n)
	}
}

// TestWriteDoesNotWatchTheRequest: a details edit, a status change and an
// associates replacement run their read and their write statement without
// database/sql or lib/pq watching the request's context (a goroutine each
// per query), and still write, with their audit entry.
func TestWriteDoesNotWatchTheRequest(t *testing.T) {
	e := newEnv(t)
	c := e.create(admin2, seedInput)
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	w := &watchedContext{Context: ctx}
	entries := func() int {
		var n int
		if err := e.db.GetContext(e.ctx, &n, `SELECT count(*) FROM audit_entries WHERE customer_id = $1`, c.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := entries()
	if _, err := e.svc.Update(w, officer, c.Reference, decode[customer.DetailsUpdate](t, `{"description": "Unwatched"}`), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetStatus(w, admin, c.Reference, customer.StatusChange{Status: "REJECTED", Reason: ptr("No documents")}, nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ReplaceAssociates(w, officer, c.Reference, decode[customer.AssociatesInput](t,
		`{"associates": [`+person("Sean", "Bond", "sean.bond@disney.com", "")+`]}`), nil); err != nil {
		t.Fatal(err)
	}
	if n := w.asked.Load(); n != 0 {
		t.Errorf("the writes watched the request's context %d times", n)
	}
	if got := e.get(c); got.Version != c.Version+3 || got.Status != customer.StatusRejected || entries() != before+3 {
		t.Fatalf("version %d (was %d), status %s, entries %d (were %d)", got.Version, c.Version, got.Status, entries(), before)
	}
}

package customer_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/validate"
)

func TestAddNote(t *testing.T) {
	e := newEnv(t)
	c := e.create(officer, seedInput)

	t.Run("ErrViewerForbidden", func(t *testing.T) {
		_, err := e.svc.AddNote(e.ctx, viewer, c.Reference, customer.NoteInput{Text: ptr("hello")})
		if !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("want forbidden, got %v", err)
		}
		if e.svc.CanAddNote(viewer) || !e.svc.CanAddNote(officer) {
			t.Fatal("CanAddNote disagrees with AddNote")
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, text := range []*string{nil, ptr("  \n "), ptr(strings.Repeat("a", validate.MaxNote+1))} {
			_, err := e.svc.AddNote(e.ctx, officer, c.Reference, customer.NoteInput{Text: text})
			if fields := fieldErrors(t, err); len(fields["text"]) == 0 {
				t.Fatalf("want an error on text, got %v", fields)
			}
		}
	})
	t.Run("OK", func(t *testing.T) {
		long := strings.Repeat("é", validate.MaxNote-2) + "\r\nx"
		n, err := e.svc.AddNote(e.ctx, apiKey, c.Reference, customer.NoteInput{Text: &long})
		if err != nil {
			t.Fatal(err)
		}
		if n.ID == 0 || n.AuthorName != "ci-sync" || n.AuthorType != "apikey" || !strings.HasSuffix(n.Text, "\nx") || n.StatusTo != nil {
			t.Fatalf("note %+v", n)
		}
		// the audit entry carries the text, in the same transaction
		hist, err := e.svc.History(e.ctx, viewer, c.Reference, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if hist[0].Action != audit.ActionCustomerNote || hist[0].Reason == nil || *hist[0].Reason != n.Text {
			t.Fatalf("newest entry %+v", hist[0])
		}
	})
	t.Run("ErrNotFoundLeavesNothing", func(t *testing.T) {
		before := e.count(`SELECT count(*) FROM audit_entries`)
		_, err := e.svc.AddNote(e.ctx, officer, [16]byte{1}, customer.NoteInput{Text: ptr("x")})
		if !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("want not found, got %v", err)
		}
		if after := e.count(`SELECT count(*) FROM audit_entries`); after != before {
			t.Fatalf("audit entries %d → %d", before, after)
		}
	})
}

func TestNotesImmutable(t *testing.T) {
	e := newEnv(t)
	c := e.create(officer, seedInput)
	if _, err := e.svc.AddNote(e.ctx, officer, c.Reference, customer.NoteInput{Text: ptr("first")}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE customer_notes SET body = 'changed'`, `DELETE FROM customer_notes`, `TRUNCATE customer_notes`} {
		if _, err := e.db.ExecContext(e.ctx, q); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
			t.Fatalf("%s: want refusal, got %v", q, err)
		}
	}
}

func TestNotesKeysetPages(t *testing.T) {
	e := newEnv(t)
	c := e.create(officer, seedInput)
	for _, s := range []string{"one", "two", "three"} {
		if _, err := e.svc.AddNote(e.ctx, officer, c.Reference, customer.NoteInput{Text: ptr(s)}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := e.svc.Notes(e.ctx, viewer, c.Reference, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || first[0].Text != "three" || first[1].Text != "two" {
		t.Fatalf("first page %+v", first)
	}
	rest, err := e.svc.Notes(e.ctx, viewer, c.Reference, first[1].ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 1 || rest[0].Text != "one" {
		t.Fatalf("second page %+v", rest)
	}
}

func TestStatusReasonIsLinkedNote(t *testing.T) {
	e := newEnv(t)
	c := e.create(officer, seedInput)
	if _, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "REJECTED", Reason: ptr("Sanctions hit\nsee file")}, nil, true); err != nil {
		t.Fatal(err)
	}
	notes, err := e.svc.Notes(e.ctx, viewer, c.Reference, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || notes[0].Text != "Sanctions hit\nsee file" || notes[0].StatusEntryID == nil ||
		*notes[0].StatusFrom != customer.StatusPending || *notes[0].StatusTo != customer.StatusRejected {
		t.Fatalf("notes %+v", notes)
	}
	hist, _ := e.svc.History(e.ctx, viewer, c.Reference, 0, 10)
	if hist[0].Action != audit.ActionCustomerStatus || hist[0].ID != *notes[0].StatusEntryID {
		t.Fatalf("note not linked to the status entry: %+v", hist[0])
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = 'customer.note'`); n != 0 {
		t.Fatalf("the reason shows once: %d extra note entries", n)
	}
	// every move with a reason keeps its own note
	if _, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "PENDING", Reason: ptr("reopen")}, nil, true); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM customer_notes`); n != 2 {
		t.Fatalf("notes %d", n)
	}
}

func TestRecent(t *testing.T) {
	e := newEnv(t)
	c := e.create(officer, seedInput)
	other := e.create(officer, seedInput)
	for _, text := range []string{"first", "second", "third"} {
		if _, err := e.svc.AddNote(e.ctx, officer, c.Reference, customer.NoteInput{Text: ptr(text)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.AddNote(e.ctx, officer, other.Reference, customer.NoteInput{Text: ptr("elsewhere")}); err != nil {
		t.Fatal(err)
	}
	hist, notes, err := e.svc.Recent(e.ctx, viewer, c, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantHist, _ := e.svc.History(e.ctx, viewer, c.Reference, 0, 2)
	if len(hist) != 2 || hist[0].ID != wantHist[0].ID || hist[1].ID != wantHist[1].ID {
		t.Fatalf("history %+v, want %+v", hist, wantHist)
	}
	if len(notes) != 2 || notes[0].Text != "third" || notes[1].Text != "second" {
		t.Fatalf("notes %+v", notes)
	}
	if _, _, err := e.svc.Recent(e.ctx, access.Actor{}, c, 2, 2); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("an actor without a role: %v", err)
	}
}

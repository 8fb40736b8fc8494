package customer_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

// atStatus creates a customer (by the system, so four-eyes does not bite)
// and moves it to status.
func (e *env) atStatus(st customer.Status) *customer.Customer {
	e.t.Helper()
	c := e.create(access.System("setup"), seedInput)
	switch st {
	case customer.StatusVerified:
		c = e.setStatus(admin2, c, "VERIFIED")
	case customer.StatusRejected:
		c = e.setStatus(admin2, c, "REJECTED")
	}
	return c
}

func (e *env) setStatus(a access.Actor, c *customer.Customer, st string) *customer.Customer {
	e.t.Helper()
	got, err := e.svc.SetStatus(e.ctx, a, c.Reference, customer.StatusChange{Status: st, Reason: ptr("setup")}, nil, false)
	if err != nil {
		e.t.Fatalf("set status %s: %v", st, err)
	}
	return got
}

func TestStatusMoves(t *testing.T) {
	e := newEnv(t)
	type move struct {
		from customer.Status
		to   string
	}
	// every move, by every role: "" = allowed, else the error kind
	cases := []struct {
		m    move
		role access.Role
		want *apperr.Error
	}{
		{move{customer.StatusPending, "VERIFIED"}, access.RoleAdmin, nil},
		{move{customer.StatusPending, "VERIFIED"}, access.RoleOfficer, apperr.ErrForbidden},
		{move{customer.StatusPending, "VERIFIED"}, access.RoleViewer, apperr.ErrForbidden},
		{move{customer.StatusPending, "REJECTED"}, access.RoleAdmin, nil},
		{move{customer.StatusPending, "REJECTED"}, access.RoleOfficer, apperr.ErrForbidden},
		{move{customer.StatusVerified, "REJECTED"}, access.RoleAdmin, nil},
		{move{customer.StatusVerified, "REJECTED"}, access.RoleOfficer, apperr.ErrForbidden},
		{move{customer.StatusVerified, "PENDING"}, access.RoleOfficer, nil},
		{move{customer.StatusVerified, "PENDING"}, access.RoleAdmin, nil},
		{move{customer.StatusVerified, "PENDING"}, access.RoleViewer, apperr.ErrForbidden},
		{move{customer.StatusRejected, "PENDING"}, access.RoleOfficer, nil},
		{move{customer.StatusRejected, "PENDING"}, access.RoleAdmin, nil},
		{move{customer.StatusRejected, "VERIFIED"}, access.RoleAdmin, apperr.ErrConflict},
		{move{customer.StatusRejected, "VERIFIED"}, access.RoleOfficer, apperr.ErrForbidden},
		{move{customer.StatusPending, "PENDING"}, access.RoleOfficer, nil},
		{move{customer.StatusPending, "PENDING"}, access.RoleViewer, apperr.ErrForbidden},
		{move{customer.StatusVerified, "VERIFIED"}, access.RoleAdmin, nil},
		{move{customer.StatusVerified, "VERIFIED"}, access.RoleOfficer, apperr.ErrForbidden},
		{move{customer.StatusRejected, "REJECTED"}, access.RoleAdmin, nil},
	}
	for _, tc := range cases {
		outcome := "OK"
		if tc.want != nil {
			outcome = "Err"
		}
		t.Run(fmt.Sprintf("%s_%s_to_%s_by_%s", outcome, tc.m.from, tc.m.to, tc.role), func(t *testing.T) {
			c := e.atStatus(tc.m.from)
			actor := access.Actor{Kind: access.ActorUser, ID: 50, Name: "Actor", Role: tc.role}
			before := e.count(`SELECT count(*) FROM audit_entries WHERE customer_id = $1`, c.ID)
			got, err := e.svc.SetStatus(e.ctx, actor, c.Reference, customer.StatusChange{Status: tc.m.to}, nil, false)
			after := e.count(`SELECT count(*) FROM audit_entries WHERE customer_id = $1`, c.ID)
			if tc.want != nil {
				wantKind(t, err, tc.want, "")
				if e.get(c).Status != tc.m.from || after != before {
					t.Fatal("a refused move changed something")
				}
				return
			}
			if err != nil || string(got.Status) != tc.m.to {
				t.Fatalf("%v %v", err, got)
			}
			same := string(tc.m.from) == tc.m.to
			if same && (after != before || got.Version != c.Version) {
				t.Fatal("same → same must write no history and keep the version")
			}
			if !same && after != before+1 {
				t.Fatal("a move must write one history entry")
			}
		})
	}
}

func TestStatusReasonAndHistory(t *testing.T) {
	e := newEnv(t)
	c := e.atStatus(customer.StatusPending)
	t.Run("ErrInteractiveRejectNeedsReason", func(t *testing.T) {
		_, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "REJECTED"}, nil, true)
		if len(fieldErrors(t, err)["reason"]) == 0 {
			t.Fatal("want reason error")
		}
	})
	t.Run("OK_ReasonRecorded", func(t *testing.T) {
		_, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "REJECTED", Reason: ptr("Sanctions hit")}, nil, true)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := e.svc.History(e.ctx, viewer, c.Reference, 0, 1)
		if h[0].Reason == nil || *h[0].Reason != "Sanctions hit" || h[0].Changes[0].Path != "status" || h[0].Changes[0].New != "REJECTED" {
			t.Fatalf("history %+v", h[0])
		}
	})
	t.Run("ErrBadStatus", func(t *testing.T) {
		_, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "DONE"}, nil, false)
		if len(fieldErrors(t, err)["status"]) == 0 {
			t.Fatal("want status error")
		}
	})
	t.Run("ErrIllegalTransitionSaysReopen", func(t *testing.T) {
		_, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false)
		wantKind(t, err, apperr.ErrConflict, "illegal_transition")
		if !strings.Contains(err.Error(), "reopen") {
			t.Fatalf("message should say to reopen: %v", err)
		}
	})
}

func TestFourEyes(t *testing.T) {
	e := newEnv(t)
	c := e.create(admin, seedInput)
	t.Run("ErrEditorCannotApprove", func(t *testing.T) {
		_, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false)
		wantKind(t, err, apperr.ErrConflict, "four_eyes")
		acts := e.svc.ActionsFor(admin, e.get(c))
		if len(acts.ApproveBlockers) != 1 || !strings.Contains(acts.ApproveBlockers[0], "four-eyes") {
			t.Fatalf("the page must say why: %v", acts.ApproveBlockers)
		}
	})
	t.Run("ErrApiKeyEditorCannotApproveEither", func(t *testing.T) {
		key := access.Actor{Kind: access.ActorAPIKey, ID: 77, Name: "ops", Role: access.RoleAdmin}
		if _, err := e.svc.Update(e.ctx, key, c.Reference, decode[customer.DetailsUpdate](t, `{"name": "Edited by key"}`), nil); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.SetStatus(e.ctx, key, c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false)
		wantKind(t, err, apperr.ErrConflict, "four_eyes")
	})
	t.Run("OK_OtherAdminApproves", func(t *testing.T) {
		got, err := e.svc.SetStatus(e.ctx, admin2, c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false)
		if err != nil || got.Status != customer.StatusVerified {
			t.Fatalf("%v", err)
		}
	})
	t.Run("OK_Disabled", func(t *testing.T) {
		svc := customer.NewService(e.db, customer.Options{FourEyes: false, VerifyBaseURL: verifyBase})
		c2 := e.create(admin, seedInput)
		if _, err := svc.SetStatus(e.ctx, admin, c2.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false); err != nil {
			t.Fatalf("with FOUR_EYES off the editor may approve: %v", err)
		}
	})
}

func TestApprovalPreconditions(t *testing.T) {
	e := newEnv(t)
	c := e.create(access.System("setup"), seedInput)
	replace := func(body string) {
		t.Helper()
		in := decode[customer.AssociatesInput](t, body)
		if _, err := e.svc.ReplaceAssociates(e.ctx, access.System("setup"), c.Reference, in, nil); err != nil {
			t.Fatal(err)
		}
	}
	approve := func() []string {
		t.Helper()
		_, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false)
		wantKind(t, err, apperr.ErrConflict, "approval_preconditions")
		ae, _ := apperr.As(err)
		return ae.Extra["unmet"].([]string)
	}
	t.Run("ErrNoAssociates", func(t *testing.T) {
		replace(`{"associates": []}`)
		if unmet := approve(); len(unmet) != 1 || !strings.Contains(unmet[0], "no associates") {
			t.Fatalf("unmet %v", unmet)
		}
	})
	t.Run("ErrListsEveryUnmetCondition", func(t *testing.T) {
		replace(`{"associates": [{"person": {"firstName": "Ann", "lastName": "Lee"}, "controls": {"isSigner": true}}]}`)
		unmet := approve()
		joined := strings.Join(unmet, "|")
		for _, want := range []string{"has control", "date of birth", "identity document"} {
			if !strings.Contains(joined, want) {
				t.Errorf("missing %q in %v", want, unmet)
			}
		}
		if len(unmet) != 3 {
			t.Fatalf("want 3 unmet conditions, got %v", unmet)
		}
	})
	t.Run("OK_AllMet", func(t *testing.T) {
		replace(`{"associates": [` + associateWith("", "") + `]}`)
		if _, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false); err != nil {
			t.Fatal(err)
		}
	})
}

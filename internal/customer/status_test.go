package customer_test

import (
	"errors"
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
		if len(acts.ApproveBlockers) != 1 || acts.ApproveBlockers[0].Code != customer.ProblemFourEyes ||
			acts.ApproveBlockers[0].Path != "" || !strings.Contains(acts.ApproveBlockers[0].Message, "Four-eyes") {
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

// TestApprovalProblems: every unmet condition is listed, as data a page can
// link (code, customer-shape path, the associate and its input).
func TestApprovalProblems(t *testing.T) {
	complete := func(first string, control bool) customer.Associate {
		return customer.Associate{Person: customer.Person{FirstName: first, LastName: "Lee", DateOfBirth: ptr("1990-01-01")},
			Details:  customer.Details{DocumentInfo: customer.DocumentInfo{Type: ptr("PASSPORT"), Number: ptr("P1"), IssuingCountryCode: ptr("GB")}},
			Controls: customer.Controls{HasControl: control}}
	}
	bare := func(first string) customer.Associate {
		a := complete(first, false)
		a.Person.DateOfBirth, a.Details.DocumentInfo = nil, customer.DocumentInfo{}
		return a
	}
	noNumber := complete("Bo", false)
	noNumber.Details.DocumentInfo.Number = nil
	cases := []struct {
		name string
		list []customer.Associate
		want []customer.Problem
	}{
		{"ErrNoAssociatesAndNoControl", nil, []customer.Problem{
			{Code: "no_associates", Path: "company.associates", Associate: -1},
			{Code: "no_control", Path: "company.associates", Associate: -1}}},
		{"ErrEveryUnmetCondition", []customer.Associate{bare("Ann")}, []customer.Problem{
			{Code: "no_control", Path: "company.associates", Associate: -1},
			{Code: "missing_date_of_birth", Path: "company.associates[0].person.dateOfBirth", Associate: 0, Field: "person.dateOfBirth"},
			{Code: "incomplete_document", Path: "company.associates[0].details.documentInfo", Associate: 0, Field: "details.documentInfo.type"}}},
		{"ErrSecondAssociateIncomplete", []customer.Associate{complete("Ann", true), noNumber}, []customer.Problem{
			{Code: "incomplete_document", Path: "company.associates[1].details.documentInfo", Associate: 1, Field: "details.documentInfo.number"}}},
		{"OK", []customer.Associate{complete("Ann", true), complete("Bo", false)}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := customer.ApprovalProblems(&customer.Customer{Company: customer.Company{Associates: tc.list}})
			if len(got) != len(tc.want) {
				t.Fatalf("want %d problems, got %+v", len(tc.want), got)
			}
			for i, p := range got {
				w := tc.want[i]
				if p.Code != w.Code || p.Path != w.Path || p.Associate != w.Associate || p.Field != w.Field {
					t.Errorf("problem %d: want %+v, got %+v", i, w, p)
				}
				if p.Message == "" || strings.Contains(p.Message, "company.associates") || strings.Contains(p.Message, "[") {
					t.Errorf("message must be a sentence without paths: %q", p.Message)
				}
			}
		})
	}
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
	approve := func() *customer.ApprovalError {
		t.Helper()
		_, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false)
		wantKind(t, err, apperr.ErrConflict, "approval_preconditions")
		var ae *customer.ApprovalError
		if !errors.As(err, &ae) {
			t.Fatalf("want a *customer.ApprovalError, got %T", err)
		}
		// The API's details: the sentences (unmet) and the problems beside them.
		e, _ := apperr.As(err)
		if unmet, _ := e.Extra["unmet"].([]string); strings.Join(unmet, "|") != strings.Join(customer.Messages(ae.Problems), "|") {
			t.Fatalf("unmet %v", e.Extra["unmet"])
		}
		if p, _ := e.Extra["problems"].([]customer.Problem); len(p) != len(ae.Problems) {
			t.Fatalf("problems %v", e.Extra["problems"])
		}
		return ae
	}
	codes := func(ps []customer.Problem) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Code)
		}
		return strings.Join(out, " ")
	}
	t.Run("ErrNoAssociates", func(t *testing.T) {
		replace(`{"associates": []}`)
		ae := approve()
		if got := codes(ae.Problems); got != "no_associates no_control" {
			t.Fatalf("problems %s", got)
		}
		if !strings.Contains(ae.Error(), "has no associates") || !strings.Contains(ae.Error(), "No associate has control") {
			t.Fatalf("message %q", ae.Error())
		}
	})
	t.Run("ErrListsEveryUnmetCondition", func(t *testing.T) {
		replace(`{"associates": [{"person": {"firstName": "Ann", "lastName": "Lee"}, "controls": {"isSigner": true}}]}`)
		if got := codes(approve().Problems); got != "no_control missing_date_of_birth incomplete_document" {
			t.Fatalf("problems %s", got)
		}
	})
	t.Run("OK_AllMet", func(t *testing.T) {
		replace(`{"associates": [` + associateWith("", "") + `]}`)
		if _, err := e.svc.SetStatus(e.ctx, admin, c.Reference, customer.StatusChange{Status: "VERIFIED"}, nil, false); err != nil {
			t.Fatal(err)
		}
	})
}

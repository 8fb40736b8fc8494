package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/customer"
)

// TestAPIApprovalProblems: the 409 keeps its message and details.unmet (the
// sentences) and adds details.problems with a code and a path for each.
func TestAPIApprovalProblems(t *testing.T) {
	s := newServer(t)
	body := strings.Replace(createBody, `"dateOfBirth": "1990-12-10"`, `"dateOfBirth": null`, 1)
	body = strings.Replace(body, `"hasControl": true`, `"hasControl": false`, 1)
	r := s.do("POST", "/platform/v1/customers", "officer", body)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	ref := r.json(t)["reference"].(string)
	m := wantError(t, s.do("PUT", "/platform/v1/customers/"+ref+"/status", "admin", `{"status": "VERIFIED"}`), 409, "approval_preconditions")
	details := m["details"].(map[string]any)
	unmet, _ := details["unmet"].([]any)
	problems, _ := details["problems"].([]any)
	if len(unmet) != 2 || len(problems) != 2 {
		t.Fatalf("details %v", details)
	}
	want := []map[string]any{
		{"code": "no_control", "path": "company.associates", "message": unmet[0]},
		{"code": "missing_date_of_birth", "path": "company.associates[0].person.dateOfBirth", "message": "Ada Lovelace has no date of birth."},
	}
	for i, w := range want {
		p := problems[i].(map[string]any)
		if len(p) != 3 || p["code"] != w["code"] || p["path"] != w["path"] || p["message"] != w["message"] || p["message"] != unmet[i] {
			t.Errorf("problem %d: %v, want %v", i, p, w)
		}
	}
	if msg := m["message"].(string); !strings.HasPrefix(msg, "The customer cannot be approved: ") || !strings.Contains(msg, "Ada Lovelace has no date of birth.") {
		t.Errorf("message %q", msg)
	}
}

// TestAPIStaleDetails: the 412's details keep their documented names.
func TestAPIStaleDetails(t *testing.T) {
	s := newServer(t)
	ref, etag := s.create("officer")
	path := "/platform/v1/customers/" + ref
	if r := s.do("PUT", path, "officer2", `{"name": "Changed Ltd"}`, "If-Match", etag); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := wantError(t, s.do("PUT", path, "officer", `{"name": "Mine Ltd"}`, "If-Match", etag), 412, "version_mismatch")
	d := m["details"].(map[string]any)
	at, _ := d["changedAt"].(string)
	if _, err := time.Parse(time.RFC3339Nano, at); err != nil || d["changedBy"] != "API key officer2" ||
		d["currentVersion"] != 2.0 || d["etag"] != `"v2"` || d["changes"] == nil {
		t.Fatalf("details %v", d)
	}
	if f, _ := d["changedFields"].([]any); len(f) != 1 || f[0] != "company.name" {
		t.Fatalf("changedFields %v", d["changedFields"])
	}
}

// TestAPITimestampsReadTheSame: what POST and PUT answer for createdAt and
// updatedAt is, byte for byte, what a GET returns next; the ETag too.
func TestAPITimestampsReadTheSame(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 123456789, time.UTC)
	s := newServerWith(t, customer.Options{Now: func() time.Time { now = now.Add(time.Second + time.Nanosecond); return now }})
	stamps := func(r response) string {
		t.Helper()
		var v struct{ CreatedAt, UpdatedAt json.RawMessage }
		if err := json.Unmarshal(r.body, &v); err != nil || v.CreatedAt == nil {
			t.Fatalf("%d %s", r.status, r.body)
		}
		return string(v.CreatedAt) + " " + string(v.UpdatedAt) + " " + r.header.Get("ETag")
	}
	created := s.do("POST", "/platform/v1/customers", "officer", createBody)
	ref := created.json(t)["reference"].(string)
	path := "/platform/v1/customers/" + ref
	if w, g := stamps(created), stamps(s.do("GET", path, "viewer", "")); w != g {
		t.Fatalf("POST answered %s, GET returns %s", w, g)
	}
	put := s.do("PUT", path, "officer", `{"name": "Later Ltd"}`)
	if w, g := stamps(put), stamps(s.do("GET", path, "viewer", "")); w != g {
		t.Fatalf("PUT answered %s, GET returns %s", w, g)
	}
	status := s.do("PUT", path+"/status", "admin", `{"status": "REJECTED", "reason": "test"}`)
	if w, g := stamps(status), stamps(s.do("GET", path, "viewer", "")); w != g {
		t.Fatalf("status answered %s, GET returns %s", w, g)
	}
}

package main

import (
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
)

// TestFloorRequestKinds: the stack floor runs GET one's statements for a
// customer's GET and each PUT's for its PUT, and none for anything else
// (the working set's list, notes, a bad reference).
func TestFloorRequestKinds(t *testing.T) {
	const ref = "0190a4c4-8f5e-7b51-9e3c-2d6f0c1b7a11"
	for _, tc := range []struct {
		method, path string
		kind         customer.FloorKind
		ok           bool
	}{
		{"GET", "/platform/v1/customers/" + ref, customer.FloorRead, true},
		{"PUT", "/platform/v1/customers/" + ref, customer.FloorDetails, true},
		{"PUT", "/platform/v1/customers/" + ref + "/status", customer.FloorStatus, true},
		{"PUT", "/platform/v1/customers/" + ref + "/associates", customer.FloorAssociates, true},
		{"GET", "/platform/v1/customers", 0, false},
		{"GET", "/platform/v1/customers/" + ref + "/history", 0, false},
		{"PUT", "/platform/v1/customers/abc", 0, false},
		{"POST", "/platform/v1/customers/" + ref + "/notes", 0, false},
	} {
		kind, id, ok := floorRequest(tc.method, tc.path)
		if ok != tc.ok || kind != tc.kind || (ok && id.String() != ref) {
			t.Errorf("%s %s: kind %d %v (%s), want %d %v", tc.method, tc.path, kind, ok, id, tc.kind, tc.ok)
		}
	}
}

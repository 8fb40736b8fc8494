package customer

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/pgtest"
)

// TestAssociatesKeptUnderTheVersionRead: when a writer commits between a
// page's rows and its associates, the associates read are the writer's, and
// they are kept under the writer's version, not the one the page read.
func TestAssociatesKeptUnderTheVersionRead(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := NewService(db, Options{VerifyBaseURL: "https://verify.test"})
	c := createForStoreTest(t, s) // version 1, three associates
	stale := *c
	stale.Company.Associates = []Associate{}
	var in AssociatesInput
	if err := json.Unmarshal([]byte(`{"associates": [{"person": {"firstName": "Grace", "lastName": "Hopper"}}]}`), &in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceAssociates(ctx, access.System("test"), c.Reference, in, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.stmts.attachAssociates(ctx, s.prepared(nil), []*Customer{&stale}); err != nil {
		t.Fatal(err)
	}
	if len(stale.Company.Associates) != 1 || stale.Company.Associates[0].Person.FirstName != "Grace" {
		t.Fatalf("read %+v", stale.Company.Associates)
	}
	if _, ok := s.stmts.list.associates.get(c.ID, 1, time.Now()); ok {
		t.Fatal("the writer's associates were kept under the version the page read")
	}
	if as, ok := s.stmts.list.associates.get(c.ID, 2, time.Now()); !ok || len(as) != 1 {
		t.Fatalf("not kept under the version read: %v %+v", ok, as)
	}
}

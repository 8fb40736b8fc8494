package customer_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

// TestIdempotencyByMeaning: a retry is recognised by what the body means,
// not by its bytes.
func TestIdempotencyByMeaning(t *testing.T) {
	e := newEnv(t)
	in := decode[customer.CreateInput](t, seedInput)
	create := func(key, body string) (*customer.Customer, bool, error) {
		return e.svc.Create(e.ctx, apiKey, in, &customer.Idempotency{Key: key, Body: []byte(body)})
	}
	first, _, err := create("k-meaning", seedInput)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK_ReindentedReplays", func(t *testing.T) {
		var buf bytes.Buffer
		if err := json.Indent(&buf, []byte(seedInput), "", "\t\t"); err != nil {
			t.Fatal(err)
		}
		again, replayed, err := create("k-meaning", buf.String())
		if err != nil || !replayed || again.Reference != first.Reference {
			t.Fatalf("re-indented body: replayed %v, err %v", replayed, err)
		}
	})
	t.Run("OK_KeysReorderedReplays", func(t *testing.T) {
		var m map[string]any
		if err := json.Unmarshal([]byte(seedInput), &m); err != nil {
			t.Fatal(err)
		}
		// encoding/json writes keys sorted: "company" now comes before "riskScore"
		compact, _ := json.Marshal(m)
		if strings.Index(string(compact), `"company"`) > strings.Index(string(compact), `"riskScore"`) {
			t.Fatal("test body is not reordered")
		}
		again, replayed, err := create("k-meaning", string(compact))
		if err != nil || !replayed || again.Reference != first.Reference {
			t.Fatalf("reordered body: replayed %v, err %v", replayed, err)
		}
	})
	t.Run("OK_EscapedSameText", func(t *testing.T) {
		body := strings.Replace(seedInput, `"Bond Holdings"`, `"Bond Hold\u0069ngs"`, 1)
		if _, replayed, err := create("k-meaning", body); err != nil || !replayed {
			t.Fatalf("escaped text: replayed %v, err %v", replayed, err)
		}
	})
	t.Run("ErrOtherValueConflicts", func(t *testing.T) {
		_, _, err := create("k-meaning", strings.Replace(seedInput, `"LOW"`, `"HIGH"`, 1))
		wantKind(t, err, apperr.ErrConflict, "idempotency_key_reused")
	})
	t.Run("OK_KeyStoredBeforeUpgradeReplaysSameBytes", func(t *testing.T) {
		// a key stored by the previous release holds the hash of the bytes
		old, _, err := create("k-legacy", seedInput)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(seedInput))
		if _, err := e.db.ExecContext(e.ctx, `UPDATE idempotency_keys SET request_hash = $1 WHERE key = 'k-legacy'`, sum[:]); err != nil {
			t.Fatal(err)
		}
		again, replayed, err := create("k-legacy", seedInput)
		if err != nil || !replayed || again.Reference != old.Reference {
			t.Fatalf("legacy retry: replayed %v, err %v", replayed, err)
		}
		_, _, err = create("k-legacy", strings.Replace(seedInput, `"LOW"`, `"HIGH"`, 1))
		wantKind(t, err, apperr.ErrConflict, "idempotency_key_reused")
	})
	if n := e.count(`SELECT count(*) FROM customers`); n != 2 {
		t.Fatalf("want 2 customers, got %d", n)
	}
}

package webhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// BenchmarkTry measures one try's Go side — the body, both signatures, the
// POST and reading the answer — against a local receiver that reads the
// whole body and answers 200 (`go test -bench Try -benchmem ./internal/webhook/`;
// -cpuprofile shows where it goes). It prints figures and asserts nothing.
func BenchmarkTry(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	s := NewService(nil, Options{AllowPrivate: true})
	prev := NewSecret()
	c := claimed{ID: 1, Attempts: 1, EventID: uuid.Must(uuid.NewV7()).String(), EventAt: time.Now(),
		URL: srv.URL + "/hooks/verity", Secret: NewSecret(), PreviousSecret: &prev}
	c.Body = body("platform:accounts:customer:data-updated", c.EventID, c.EventAt,
		[]byte(`{"reference":"`+uuid.NewString()+`","description":"`+strings.Repeat("x", 2400)+`"}`))
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if o := s.try(ctx, &c); o.state != "delivered" {
				b.Fatalf("outcome %+v", o)
			}
		}
	})
}

package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/cputime"
	"github.com/verity-kyb/verity/web/webtest"
)

// BenchmarkGetOne is the whole app's GET of one kept customer through the
// API (middleware, key, handler, the key read against the test PostgreSQL),
// in process: ns/op and allocs/op of what `verity serve` adds to a GET one,
// without net/http's connection handling. Measures; asserts nothing.
func BenchmarkGetOne(b *testing.B) {
	s := webtest.New(b)
	key := s.APIKey(access.RoleOfficer)
	c := s.NewCustomer("officer", "")
	req := httptest.NewRequest(http.MethodGet, "/platform/v1/customers/"+c.Reference.String(), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	w := &discardWriter{h: http.Header{}}
	s.Handler.ServeHTTP(w, req) // keeps the customer
	if w.status != http.StatusOK {
		b.Fatalf("GET one: %d", w.status)
	}
	b.ReportAllocs()
	cpu0 := cputime.Process()
	n := 0
	for b.Loop() {
		clear(w.h)
		req.Header.Del("X-Request-Id") // as a client sends it: none
		s.Handler.ServeHTTP(w, req)
		n++
	}
	// The process' CPU (user and system) per request: steadier than ns/op,
	// which waits for PostgreSQL, on a shared machine.
	b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(n), "cpu-µs/op")
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

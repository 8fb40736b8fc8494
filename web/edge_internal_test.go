package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
)

// TestEdgeHeadersShareTheirConstantValues: the first middleware sets the
// request id (kept from a safe client one, else fresh), the security policy
// and, on the API, no-store — its constant values shared rather than
// allocated per response, and a kept client id without a copy.
func TestEdgeHeadersShareTheirConstantValues(t *testing.T) {
	e := echo.New()
	h := edgeHeaders(true)(func(echo.Context) error { return nil })
	for _, path := range []string{"/platform/v1/customers", "/sign-in"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		rec := httptest.NewRecorder()
		c := e.NewContext(req, rec)
		if err := h(c); err != nil {
			t.Fatal(err)
		}
		got := rec.Header()
		for key, want := range map[string][]string{"Strict-Transport-Security": hstsValue, "Content-Security-Policy": cspValue,
			"X-Content-Type-Options": noSniffValue, "X-Frame-Options": denyValue, "Referrer-Policy": sameOriginReferrers} {
			if v := got[key]; len(v) != 1 || &v[0] != &want[0] {
				t.Errorf("%s: %s is %q, not the shared value", path, key, v)
			}
		}
		if v := got["Cache-Control"]; IsAPIPath(path) != (len(v) == 1 && &v[0] == &noStore[0]) {
			t.Errorf("%s: Cache-Control %q", path, v)
		}
		id := got[echo.HeaderXRequestID]
		if len(id) != 1 || len(id[0]) != 32 || !validRequestID(id[0]) || req.Header.Get(echo.HeaderXRequestID) != id[0] {
			t.Errorf("%s: request id %q, on the request %q", path, id, req.Header.Get(echo.HeaderXRequestID))
		}
		// A safe client id is kept as it came; the headers allocate nothing.
		req.Header.Set(echo.HeaderXRequestID, "client-id.1")
		if n := testing.AllocsPerRun(100, func() { _ = h(c) }); n != 0 {
			t.Errorf("%s: %v allocations per request with a client's request id", path, n)
		}
		if got := rec.Header().Get(echo.HeaderXRequestID); got != "client-id.1" {
			t.Errorf("%s: client request id answered as %q", path, got)
		}
	}
}

// TestRequestLineSaysTheStatusAnswered: observe's request line carries the
// request id and the status the client gets — an error's, which the error
// handler writes only after the middleware returns — as the metrics do.
func TestRequestLineSaysTheStatusAnswered(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	e := echo.New()
	h := edgeHeaders(false)(observe(log, routeSet{"/platform/v1/customers/:reference": true})(func(echo.Context) error {
		return apperr.NotFound("customer x")
	}))
	req := httptest.NewRequest(http.MethodGet, "/platform/v1/customers/x", nil)
	req.Header.Set(echo.HeaderXRequestID, "rid-404")
	c := e.NewContext(req, httptest.NewRecorder())
	c.SetPath("/platform/v1/customers/:reference")
	if err := h(c); err == nil {
		t.Fatal("the handler's error was swallowed")
	}
	line := out.String()
	for _, want := range []string{"msg=request", "request_id=rid-404", "method=GET", "path=/platform/v1/customers/x", "status=404", "latency="} {
		if !strings.Contains(line, want) {
			t.Errorf("request line %q lacks %q", line, want)
		}
	}
}

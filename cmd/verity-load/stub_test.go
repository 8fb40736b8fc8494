package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestStubReplaysRecordedAnswers records answers from an origin server and
// checks that the stub answers the same requests with the same status,
// headers and body bytes, however many times it is asked, and refuses what
// was never recorded.
func TestStubReplaysRecordedAnswers(t *testing.T) {
	calls := 0
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		b, _ := io.ReadAll(r.Body)
		body := fmt.Sprintf(`{"call":%d,"method":%q,"uri":%q,"body":%q,"bytes":"\u00e9\u0000"}`, calls, r.Method, r.URL.RequestURI(), b)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, calls))
		w.Header().Add("X-Many", "a")
		w.Header().Add("X-Many", "b")
		if r.Method == http.MethodPut {
			w.WriteHeader(http.StatusCreated)
		}
		_, _ = w.Write([]byte(body))
	}))
	defer origin.Close()

	rec := newRecorder(http.DefaultTransport)
	cl := &http.Client{Transport: rec}
	reqs := []struct{ method, uri, body string }{
		{"GET", "/platform/v1/customers?status=PENDING&page=3", ""},
		{"GET", "/platform/v1/customers/abc", ""},
		{"PUT", "/platform/v1/customers/abc/status", `{"status":"REJECTED"}`},
	}
	type got struct {
		status int
		header http.Header
		body   []byte
	}
	do := func(base, method, uri, body string) got {
		t.Helper()
		req, _ := http.NewRequest(method, base+uri, strings.NewReader(body))
		res, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return got{res.StatusCode, res.Header, b}
	}
	want := map[string]got{}
	for _, r := range reqs {
		want[r.method+r.uri] = do(origin.URL, r.method, r.uri, r.body)
	}
	// A second call to the origin answers differently; the first is kept.
	do(origin.URL, "GET", "/platform/v1/customers/abc", "")
	if len(rec.list) != len(reqs) {
		t.Fatalf("recorded %d answers, want %d", len(rec.list), len(reqs))
	}
	dir := t.TempDir()
	if err := rec.save(dir); err != nil {
		t.Fatal(err)
	}
	answers, err := loadAnswers(dir)
	if err != nil {
		t.Fatal(err)
	}
	stub := httptest.NewServer(newStub(answers, nil))
	defer stub.Close()
	cl = &http.Client{}
	originCalls := calls
	for pass := 0; pass < 2; pass++ {
		for _, r := range reqs {
			// The stub ignores the request body and the credentials.
			g := do(stub.URL, r.method, r.uri, "other body")
			w := want[r.method+r.uri]
			if g.status != w.status {
				t.Errorf("%s %s: status %d, recorded %d", r.method, r.uri, g.status, w.status)
			}
			if !bytes.Equal(g.body, w.body) {
				t.Errorf("%s %s: body %q, recorded %q", r.method, r.uri, g.body, w.body)
			}
			for _, k := range []string{"Content-Type", "Etag", "X-Many", "Content-Length", "Date"} {
				if fmt.Sprint(g.header.Values(k)) != fmt.Sprint(w.header.Values(k)) {
					t.Errorf("%s %s: header %s %q, recorded %q", r.method, r.uri, k, g.header.Values(k), w.header.Values(k))
				}
			}
		}
	}
	if calls != originCalls {
		t.Errorf("the stub called the origin %d times", calls-originCalls)
	}
	if g := do(stub.URL, "GET", "/platform/v1/customers/other", ""); g.status != http.StatusNotFound {
		t.Errorf("an unrecorded request: status %d, want 404", g.status)
	}
}

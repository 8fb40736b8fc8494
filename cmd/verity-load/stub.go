package main

// The HTTP floor (make bench-floor): `verity-load -record DIR` sends each
// scenario's distinct requests once to a real `verity serve` and keeps every
// answer (status, headers, body); `verity-load -stub DIR -listen ADDR` then
// answers the same requests with those bytes on the server's own stack
// (echo/v4 on net/http, the server's timeouts and GC setting) and does nothing
// else: no database, no key check (with -driver, the stack floor, it also
// runs each request's statements: driver.go). Driving the stub with the same scenario
// measures what HTTP and the load generator alone cost per request.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web"
)

// answersFile is the file in a record directory that holds the answers.
const answersFile = "answers.jsonl"

var (
	recordDir = flag.String("record", "", "record: send each scenario's distinct requests once and keep the answers in this directory")
	stubDir   = flag.String("stub", "", "stub: serve the answers recorded in this directory on -listen, nothing else")
	stubAddr  = flag.String("listen", "127.0.0.1:18201", "the stub's listen address (loopback)")
)

// stubHook runs the record or stub mode when its flag is set; done reports
// that one of them ran, so main does nothing more.
func stubHook(c config) (done bool, err error) {
	switch {
	case *stubDir != "":
		return true, runStub(*stubDir, *stubAddr)
	case *recordDir != "":
		return true, runRecord(c, *recordDir)
	}
	return false, nil
}

// answer is one recorded response and the request it answers.
type answer struct {
	Method string      `json:"method"`
	URI    string      `json:"uri"`
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

func answerKey(method, uri string) string { return method + " " + uri }

// recorder is a RoundTripper that keeps the first answer to each method and
// request URI.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen map[string]bool
	list []answer
}

func newRecorder(next http.RoundTripper) *recorder {
	return &recorder{next: next, seen: map[string]bool{}}
}

// RoundTrip sends the request and keeps a copy of its answer.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(strings.NewReader(string(body)))
	k := answerKey(req.Method, req.URL.RequestURI())
	r.mu.Lock()
	if !r.seen[k] {
		r.seen[k] = true
		r.list = append(r.list, answer{Method: req.Method, URI: req.URL.RequestURI(), Status: res.StatusCode, Header: res.Header.Clone(), Body: body})
	}
	r.mu.Unlock()
	return res, nil
}

// has reports whether an answer to the request is already kept.
func (r *recorder) has(method, uri string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[answerKey(method, uri)]
}

// save writes the answers as JSON lines into dir.
func (r *recorder) save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, answersFile))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.list {
		if err := enc.Encode(a); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadAnswers reads the answers a recording kept, by method and request URI.
func loadAnswers(dir string) (map[string]answer, error) {
	f, err := os.Open(filepath.Join(dir, answersFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]answer{}
	dec := json.NewDecoder(bufio.NewReader(f))
	for {
		var a answer
		if err := dec.Decode(&a); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", answersFile, err)
		}
		out[answerKey(a.Method, a.URI)] = a
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no answers in %s", filepath.Join(dir, answersFile))
	}
	return out, nil
}

// runRecord sends every distinct request of the chosen scenarios once (each
// client's share of the working set, one pass over it) through a recorder,
// then saves the answers. It makes the second pass (i from per to 2*per): a
// measured run that follows starts with the first, so each of its PUTs still
// changes what it edits (PUT associates' titles follow the pass).
func runRecord(c config, dir string) error {
	if !strings.HasPrefix(c.base, "http://127.") && !strings.HasPrefix(c.base, "http://localhost") {
		return errors.New("the load generator only targets loopback addresses")
	}
	rec := newRecorder(&http.Transport{MaxIdleConnsPerHost: c.clients * 2})
	cl := &http.Client{Transport: rec}
	pool, err := loadCustomers(cl, c)
	if err != nil {
		return err
	}
	if err := recordScenarios(c, cl, rec, scenarios(c, pool), len(pool)/c.clients); err != nil {
		return err
	}
	if c.pageUser != "" {
		pages, err := recordSignIn(c, rec)
		if err != nil {
			return err
		}
		if err := recordScenarios(c, pages, rec, pageScenarios(pool), len(pool)/c.clients); err != nil {
			return err
		}
	}
	return rec.save(dir)
}

// recordSignIn signs in as the page user through the recorder (the sign-in
// form and its answer are kept, so verity-load's own sign-in works against
// the stub) and returns a client with that session.
func recordSignIn(c config, rec *recorder) (*http.Client, error) {
	return signInThrough(c, rec)
}

// recordScenarios sends the distinct requests of the scenarios c.only
// chooses, one pass per client, through cl.
func recordScenarios(c config, cl *http.Client, rec *recorder, list []scenario, per int) error {
	for _, sc := range list {
		if c.only != "" && !strings.Contains(sc.name, c.only) {
			continue
		}
		before := len(rec.list)
		var wg sync.WaitGroup
		errc := make(chan error, c.clients)
		for w := 0; w < c.clients; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := per; i < 2*per; i++ {
					method, path, key, body := sc.next(w, i)
					if rec.has(method, path) {
						continue
					}
					req, _ := http.NewRequest(method, c.base+path, strings.NewReader(string(body)))
					if key != "" {
						req.Header.Set("Authorization", "Bearer "+key)
					}
					if body != nil {
						req.Header.Set("Content-Type", "application/json")
					}
					res, err := cl.Do(req)
					if err != nil {
						errc <- err
						return
					}
					res.Body.Close()
					if res.StatusCode >= 300 {
						errc <- fmt.Errorf("%s %s: status %d", method, path, res.StatusCode)
						return
					}
				}
			}(w)
		}
		wg.Wait()
		close(errc)
		if err := <-errc; err != nil {
			return fmt.Errorf("record %s: %w", sc.name, err)
		}
		fmt.Printf("recorded %-16s %6d answers\n", sc.name, len(rec.list)-before)
	}
	return nil
}

// stubHandler answers each recorded request with its recorded bytes and
// anything else with 404.
func stubHandler(answers map[string]answer) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		a, ok := answers[answerKey(r.Method, r.URL.RequestURI())]
		if !ok {
			return c.String(http.StatusNotFound, "stub: nothing recorded for "+r.Method+" "+r.URL.RequestURI())
		}
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body) // read the request as the server does
		}
		h := c.Response().Header()
		for k, v := range a.Header {
			h[k] = v
		}
		c.Response().WriteHeader(a.Status)
		_, err := c.Response().Write(a.Body)
		return err
	}
}

// newStub is the stub server: echo with one catch-all route and nothing
// else, on an http.Server with verity serve's timeouts; with a floor, each
// request runs its statements first (driver.go).
func newStub(answers map[string]answer, floor *customer.StackFloor) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	h := stubHandler(answers)
	if floor != nil {
		h = withFloor(floor, answers, h)
	}
	e.Any("/*", h)
	t := web.DefaultTimeouts
	e.Server.ReadHeaderTimeout, e.Server.ReadTimeout, e.Server.WriteTimeout, e.Server.IdleTimeout = t.ReadHeader, t.Read, t.Write, t.Idle
	return e
}

// runStub serves the recorded answers on addr until SIGINT or SIGTERM.
func runStub(dir, addr string) error {
	if !strings.HasPrefix(addr, "127.") && !strings.HasPrefix(addr, "localhost:") {
		return errors.New("the stub only listens on loopback addresses")
	}
	answers, err := loadAnswers(dir)
	if err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400) // as verity serve
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(80 << 20)
	}
	var floor *customer.StackFloor
	if *driverURL != "" {
		f, closeDB, err := openFloor(context.Background(), *driverURL)
		if err != nil {
			return err
		}
		defer closeDB()
		floor = f
	}
	e := newStub(answers, floor)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() { <-sig; _ = e.Close() }()
	fmt.Printf("verity-load: stub serving %d recorded answers on http://%s (stack floor: %v)\n", len(answers), addr, floor != nil)
	if err := e.Start(addr); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Command verity-load drives a running Verity API with concurrent clients
// and prints requests/s, p50 and p99 per endpoint, and the server's peak RSS.
// It only talks to the address it is given (loopback in `make bench`), and
// every scenario stops by itself after its duration.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/verity-kyb/verity/internal/cputime"
)

type config struct {
	base     string
	readKey  string
	adminKey string
	clients  int
	duration time.Duration
	pid      int
	only     string
	// pageUser and pagePassword sign in to drive the web admin's pages too.
	pageUser     string
	pagePassword string
	// webhook subscribes a local receiver to data-updated for the run and
	// reports the delivery lag (the server needs WEBHOOK_ALLOW_PRIVATE=true).
	webhook bool
	// tag goes into every PUT details edit, so that a run repeated on the
	// same data changes each customer it edits (a PUT that changes nothing
	// writes nothing and causes no event).
	tag string
	// documents, when > 0, runs only the documents memory test: that many
	// concurrent uploads of documentSize bytes, then downloads.
	documents    int
	documentSize int64
}

func main() {
	var c config
	flag.StringVar(&c.base, "url", "http://127.0.0.1:18080", "server base URL (loopback)")
	flag.StringVar(&c.readKey, "key", "", "officer API key (reads and edits)")
	flag.StringVar(&c.adminKey, "admin-key", "", "admin API key (status changes)")
	flag.IntVar(&c.clients, "clients", 16, "concurrent clients")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "time per scenario")
	flag.IntVar(&c.pid, "pid", 0, "server process id, for peak RSS")
	flag.StringVar(&c.only, "only", "", "run only scenarios whose name contains this")
	flag.StringVar(&c.pageUser, "page-user", "", "staff e-mail: also drive the web pages, signed in as this user")
	flag.StringVar(&c.pagePassword, "page-password", "", "that user's password")
	flag.BoolVar(&c.webhook, "webhook", false, "subscribe a local receiver to data-updated and report delivery lag")
	flag.StringVar(&c.tag, "tag", "", "text put into every PUT details edit (runs repeated on the same data then still change something)")
	flag.IntVar(&c.documents, "documents", 0, "run the documents test: this many concurrent uploads, then downloads")
	flag.Int64Var(&c.documentSize, "document-size", 10<<20, "bytes per document in the documents test")
	cpuProfile := flag.String("cpuprofile", "", "write verity-load's own CPU profile to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "verity-load:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if done, err := stubHook(c); done { // -record, -stub: stub.go
		if err != nil {
			fmt.Fprintln(os.Stderr, "verity-load:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(c); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "verity-load:", err)
		os.Exit(1)
	}
}

// customerDoc is the part of a customer the scenarios need.
type customerDoc struct {
	Reference string `json:"reference"`
	Status    string `json:"status"`
	Company   struct {
		Associates []map[string]any `json:"associates"`
	} `json:"company"`
}

func run(c config) error {
	if !strings.HasPrefix(c.base, "http://127.") && !strings.HasPrefix(c.base, "http://localhost") && !strings.HasPrefix(c.base, "http://[::1]") {
		return errors.New("the load generator only targets loopback addresses")
	}
	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.clients * 2}, Timeout: 10 * time.Second}
	pool, err := loadCustomers(cl, c)
	if err != nil {
		return err
	}
	if c.documents > 0 {
		return runDocuments(c, pool)
	}
	var hooks *sink
	if c.webhook {
		if hooks, err = startSink(); err != nil {
			return err
		}
		id, err := subscribe(cl, c, hooks.url)
		if err != nil {
			return err
		}
		defer unsubscribe(cl, c, id)
	}
	fmt.Printf("verity-load: %d clients, %s per scenario, %d customers in the working set, webhook subscribed: %v\n",
		c.clients, c.duration, len(pool), c.webhook)
	fmt.Printf("%-16s %10s %9s %9s %9s %8s\n", "scenario", "requests", "req/s", "p50 ms", "p99 ms", "errors")
	writes := 0
	for _, sc := range scenarios(c, pool) {
		if c.only != "" && !strings.Contains(sc.name, c.only) {
			continue
		}
		res := drive(c, sc, "")
		printResult(sc.name, res)
		if sc.name == "PUT details" || sc.name == "PUT associates" {
			writes += res.n - res.errors
		}
	}
	if hooks != nil {
		hooks.report(writes)
	}
	if c.pageUser != "" {
		if err := runPages(c, pool); err != nil {
			return err
		}
	}
	if c.pid > 0 {
		if rss, err := peakRSS(c.pid); err == nil {
			fmt.Printf("server peak RSS: %.1f MB\n", float64(rss)/1024)
		}
	}
	return nil
}

func printResult(name string, res result) {
	fmt.Printf("%-16s %10d %9.0f %9.2f %9.2f %8d\n", name, res.n, float64(res.n)/res.elapsed.Seconds(),
		ms(res.p(0.50)), ms(res.p(0.99)), res.errors)
	if res.n > 0 {
		fmt.Printf("  verity-load CPU: %.0f µs per request\n", float64(res.cpu.Microseconds())/float64(res.n))
	}
	if res.firstErr != "" {
		fmt.Printf("  first error: %s\n", res.firstErr)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadCustomers reads a working set of PENDING and REJECTED customers.
func loadCustomers(cl *http.Client, c config) ([]customerDoc, error) {
	var out []customerDoc
	for page := 0; page < 20; page++ {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/platform/v1/customers?status=PENDING&status=REJECTED&size=100&page=%d&sort=name", c.base, page), nil)
		req.Header.Set("Authorization", "Bearer "+c.readKey)
		res, err := cl.Do(req)
		if err != nil {
			return nil, err
		}
		var body struct {
			Content []customerDoc `json:"content"`
		}
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			return nil, fmt.Errorf("list customers: status %d %v", res.StatusCode, err)
		}
		out = append(out, body.Content...)
	}
	if len(out) < 2*c.clients {
		return nil, fmt.Errorf("need at least %d customers, found %d: seed first", 2*c.clients, len(out))
	}
	return out, nil
}

// titleStandIn stands for the title in PUT associates' encoded bodies.
const titleStandIn = "verity-load:title:e4f1c2"

// request is one call a scenario makes; client is the worker index and i its
// own counter, so workers touch disjoint customers where that matters.
type scenario struct {
	name string
	next func(client, i int) (method, path, key string, body []byte)
}

func scenarios(c config, pool []customerDoc) []scenario {
	per := len(pool) / c.clients
	own := func(client, i int) *customerDoc { return &pool[client*per+i%per] }
	queries := []string{"acme", "holdings", "smith", "garcia", "müller", "trading", "rossi", "tech"}
	associateBodies := make([][]byte, len(pool))
	status := make([]string, len(pool))
	for i := range pool {
		status[i] = pool[i].Status
	}
	return []scenario{
		{"GET one", func(cl, i int) (string, string, string, []byte) {
			return "GET", "/platform/v1/customers/" + own(cl, i).Reference, c.readKey, nil
		}},
		{"list filtered", func(cl, i int) (string, string, string, []byte) {
			return "GET", fmt.Sprintf("/platform/v1/customers?status=PENDING&riskScore=LOW&page=%d", (cl*7+i)%50), c.readKey, nil
		}},
		{"search", func(cl, i int) (string, string, string, []byte) {
			return "GET", "/platform/v1/customers?q=" + queries[(cl+i)%len(queries)], c.readKey, nil
		}},
		{"PUT details", func(cl, i int) (string, string, string, []byte) {
			body := fmt.Sprintf(`{"description": "Load test edit %s%d-%d", "address": {"addressLine2": "Unit %d"}}`, c.tag, cl, i, i%97)
			return "PUT", "/platform/v1/customers/" + own(cl, i).Reference, c.readKey, []byte(body)
		}},
		{"PUT associates", func(cl, i int) (string, string, string, []byte) {
			d := own(cl, i)
			// A different title on every pass over the working set, so each
			// request is a real change (not the no-change path). The body is
			// encoded once per customer with a stand-in for the title (each
			// customer is one client's alone, so no lock).
			tpl := &associateBodies[cl*per+i%per]
			if *tpl == nil {
				list := make([]map[string]any, len(d.Company.Associates))
				for k, a := range d.Company.Associates {
					cp := map[string]any{}
					for key, v := range a {
						cp[key] = v
					}
					cp["title"] = titleStandIn
					list[k] = cp
				}
				*tpl, _ = json.Marshal(map[string]any{"associates": list})
			}
			body := bytes.ReplaceAll(*tpl, []byte(titleStandIn), fmt.Appendf(nil, "Director %d", (i%per+i/per)%5))
			return "PUT", "/platform/v1/customers/" + d.Reference + "/associates", c.readKey, body
		}},
		{"PUT status", func(cl, i int) (string, string, string, []byte) {
			idx := cl*per + i%per
			next := "REJECTED"
			if status[idx] == "REJECTED" {
				next = "PENDING"
			}
			status[idx] = next
			body := fmt.Sprintf(`{"status": %q, "reason": "load test"}`, next)
			return "PUT", "/platform/v1/customers/" + pool[idx].Reference + "/status", c.adminKey, []byte(body)
		}},
	}
}

type result struct {
	n, errors int
	elapsed   time.Duration
	cpu       time.Duration // verity-load's own CPU time during the run
	lat       []time.Duration
	firstErr  string
}

func (r *result) p(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[int(q*float64(len(r.lat)-1))]
}

// drive runs one scenario with c.clients workers until the duration ends,
// each on its own keep-alive connection (client.go) sending cookie, if any,
// with every request. Any answer of 300 or more is an error.
func drive(c config, sc scenario, cookie string) result {
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	var mu sync.Mutex
	var res result
	var errs atomic.Int64
	fail := func(err error) {
		if errs.Add(1) == 1 {
			mu.Lock()
			res.firstErr = err.Error()
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	cpu0 := cputime.Process()
	start := time.Now()
	// No request waits longer than net/http's client did (10 s) past the end.
	deadline := start.Add(c.duration + 10*time.Second)
	for w := 0; w < c.clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			conn, err := newLeanConn(c.base, cookie, deadline)
			if err != nil {
				fail(err)
				return
			}
			defer conn.Close()
			lat := make([]time.Duration, 0, 4096)
			for i := 0; ctx.Err() == nil; i++ {
				method, path, key, body := sc.next(w, i)
				t0 := time.Now()
				status, b, err := conn.do(method, path, key, body)
				if err == nil && status >= 300 {
					err = fmt.Errorf("%s %s: %d %s", method, path, status, b)
				}
				if ctx.Err() != nil {
					break
				}
				lat = append(lat, time.Since(t0))
				if err != nil {
					fail(err)
				}
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.cpu = cputime.Process() - cpu0
	res.n = len(res.lat)
	res.errors = int(errs.Load())
	sort.Slice(res.lat, func(i, j int) bool { return res.lat[i] < res.lat[j] })
	return res
}

// peakRSS reads VmHWM (kB) of a process.
func peakRSS(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int
			_, err := fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d kB", &kb)
			return kb, err
		}
	}
	return 0, errors.New("no VmHWM")
}

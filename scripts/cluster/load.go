package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// load is the clients and what they own: each API client edits only its
// own customers, so every acknowledged write has one expected outcome.
type load struct {
	base    string
	tag     string // names this run's customers
	api     []*apiClient
	pages   []*http.Client
	refs    []string // every customer, for page reads
	tlsConf *tls.Config
}

type apiClient struct {
	id    int
	http  *http.Client
	key   string
	owned []string
	// last acknowledged description per owned customer, and how many
	// updates and creates were acknowledged.
	last    map[string]string
	updates int
	created map[string]string // Idempotency-Key → reference
}

const password = "cluster-Test-passw0rd-42"

// prepareLoad creates the staff, keys and customers the load uses, through
// nginx where it is the API.
func (c *cluster) prepareLoad(ctx context.Context) (*load, error) {
	pem, err := os.ReadFile(c.caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	l := &load{base: c.https, tag: fmt.Sprintf("Cluster %d", time.Now().Unix()%100000), tlsConf: &tls.Config{RootCAs: pool}}
	for i := range c.opts.api {
		key, err := c.verityCommand(ctx, "", "apikey", "create", "--name", fmt.Sprintf("cluster load %d", i), "--role", "officer")
		if err != nil {
			return nil, err
		}
		ac := &apiClient{id: i, http: l.client(nil), key: key, last: map[string]string{}, created: map[string]string{}}
		for j := range 4 {
			ref, err := ac.create(l, fmt.Sprintf("%s setup %d-%d", l.tag, i, j), fmt.Sprintf("setup-%s-%d-%d", l.tag, i, j), nil)
			if err != nil {
				return nil, err
			}
			ac.owned = append(ac.owned, ref)
			l.refs = append(l.refs, ref)
		}
		ac.created = map[string]string{} // the load's creates are counted from here
		l.api = append(l.api, ac)
	}
	for i := range c.opts.pages {
		email := fmt.Sprintf("officer%d@cluster.test", i)
		if _, err := c.verityCommand(ctx, password+"\n", "user", "create", "--email", email,
			"--name", fmt.Sprintf("Officer %d", i), "--role", "officer", "--password-stdin"); err != nil {
			return nil, err
		}
		jar, _ := cookiejar.New(nil)
		cl := l.client(jar)
		if err := signIn(cl, l.base, email); err != nil {
			return nil, err
		}
		l.pages = append(l.pages, cl)
	}
	return l, nil
}

func (l *load) client(jar http.CookieJar) *http.Client {
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: l.tlsConf, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func signIn(cl *http.Client, base, email string) error {
	res, err := cl.Get(base + "/sign-in")
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfInput.FindSubmatch(b)
	if m == nil {
		return fmt.Errorf("sign-in page without a CSRF token (status %d)", res.StatusCode)
	}
	res, err = cl.PostForm(base+"/sign-in", url.Values{"_csrf": {string(m[1])}, "email": {email}, "password": {password}})
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign in as %s through nginx: status %d", email, res.StatusCode)
	}
	return nil
}

// retryable is what a client retries with the same Idempotency-Key or
// If-Match: the request may not have reached an instance, or one that was
// stopping answered it.
func retryable(status int, err error) bool {
	return err != nil || status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// do sends one request and reads the answer.
func (ac *apiClient) do(l *load, method, path string, body []byte, hdr map[string]string) (int, http.Header, []byte, error) {
	req, err := http.NewRequest(method, l.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+ac.key)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := ac.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b, err
}

// create POSTs a customer with an Idempotency-Key, retrying with the same
// key when the answer may not have come from the write.
func (ac *apiClient) create(l *load, name, key string, st *opStats) (string, error) {
	body := fmt.Sprintf(`{"riskScore": "LOW", "company": {"name": %q, "taxResidenceCountryCode": "GB",
  "registrationNumber": %q, "address": {"addressLine1": "1 Load Street", "city": "London", "postalCode": "EC1A 1BB", "countryCode": "GB"}}}`,
		name, key)
	for attempt := 0; ; attempt++ {
		status, _, b, err := ac.do(l, http.MethodPost, "/platform/v1/customers", []byte(body), map[string]string{"Idempotency-Key": key})
		if retryable(status, err) && attempt < 5 {
			st.retry()
			time.Sleep(200 * time.Millisecond)
			continue
		}
		if err != nil {
			return "", err
		}
		if status != http.StatusCreated && status != http.StatusOK {
			return "", fmt.Errorf("POST /customers: %d %s", status, b)
		}
		var doc struct{ Reference string }
		if err := json.Unmarshal(b, &doc); err != nil || doc.Reference == "" {
			return "", fmt.Errorf("POST /customers: no reference in %s", b)
		}
		ac.created[key] = doc.Reference
		return doc.Reference, nil
	}
}

// update sets a fresh description with If-Match. A retried PUT whose first
// attempt did land meets 412: the client reads the customer and accepts it
// when its own value is there, as a careful client does.
func (ac *apiClient) update(l *load, ref, desc string, st *opStats) error {
	status, hdr, b, err := ac.do(l, http.MethodGet, "/platform/v1/customers/"+ref, nil, nil)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("GET customer: %d %v %s", status, err, b)
	}
	etag := hdr.Get("ETag")
	body := []byte(fmt.Sprintf(`{"description": %q}`, desc))
	for attempt := 0; ; attempt++ {
		status, _, b, err = ac.do(l, http.MethodPut, "/platform/v1/customers/"+ref, body, map[string]string{"If-Match": etag})
		if retryable(status, err) && attempt < 5 {
			st.retry()
			time.Sleep(200 * time.Millisecond)
			continue
		}
		if status == http.StatusPreconditionFailed && attempt > 0 {
			if _, _, now, err := ac.do(l, http.MethodGet, "/platform/v1/customers/"+ref, nil, nil); err == nil && bytes.Contains(now, []byte(`"description":"`+desc+`"`)) {
				break
			}
		}
		if err != nil || status != http.StatusOK {
			return fmt.Errorf("PUT customer: %d %v %s", status, err, b)
		}
		break
	}
	ac.last[ref] = desc
	ac.updates++
	return nil
}

// opStats counts one kind of request.
type opStats struct {
	mu        sync.Mutex
	name      string
	n, failed int
	retries   int
	lat       []time.Duration
	errs      []string
}

func (s *opStats) retry() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.retries++
	s.mu.Unlock()
}

// timed runs one request (with its retries) and records it.
func (s *opStats) timed(f func() error) {
	t := time.Now()
	err := f()
	s.record(time.Since(t), err)
}

func (s *opStats) record(d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	s.lat = append(s.lat, d)
	if err != nil {
		s.failed++
		if len(s.errs) < 5 {
			s.errs = append(s.errs, err.Error())
		}
	}
}

type loadStats struct {
	ops      []*opStats
	duration time.Duration
}

func (ls *loadStats) op(name string) *opStats {
	for _, o := range ls.ops {
		if o.name == name {
			return o
		}
	}
	o := &opStats{name: name}
	ls.ops = append(ls.ops, o)
	return o
}

func (ls *loadStats) total() (n, failed, retries int) {
	for _, o := range ls.ops {
		n, failed, retries = n+o.n, failed+o.failed, retries+o.retries
	}
	return
}

func (ls *loadStats) print() {
	fmt.Printf("cluster: %-22s %7s %7s %7s %9s %9s\n", "load through nginx", "count", "failed", "retried", "p50", "p99")
	for _, o := range ls.ops {
		sort.Slice(o.lat, func(i, j int) bool { return o.lat[i] < o.lat[j] })
		q := func(p float64) string {
			if len(o.lat) == 0 {
				return "-"
			}
			return o.lat[int(p*float64(len(o.lat)-1))].Round(100 * time.Microsecond).String()
		}
		fmt.Printf("cluster: %-22s %7d %7d %7d %9s %9s\n", o.name, o.n, o.failed, o.retries, q(0.5), q(0.99))
		for _, e := range o.errs {
			fmt.Printf("cluster:   failure: %s\n", e)
		}
	}
	n, failed, retries := ls.total()
	fmt.Printf("cluster: %d requests in %.1f s (%.0f/s), %d failed, %d client retries\n",
		n, ls.duration.Seconds(), float64(n)/ls.duration.Seconds(), failed, retries)
}

// run drives every client until d has passed.
func (l *load) run(ctx context.Context, d time.Duration) *loadStats {
	ls := &loadStats{}
	for _, name := range []string{"api PUT (If-Match)", "api POST (Idem-Key)", "api list", "api search", "page list", "page search", "page customer"} {
		ls.op(name)
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	began := time.Now()
	var wg sync.WaitGroup
	for _, ac := range l.api {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				switch i % 4 {
				case 0:
					ref := ac.owned[(i/4)%len(ac.owned)]
					st := ls.op("api PUT (If-Match)")
					st.timed(func() error { return ac.update(l, ref, fmt.Sprintf("%s client %d edit %d", l.tag, ac.id, i), st) })
				case 1:
					st := ls.op("api POST (Idem-Key)")
					st.timed(func() error {
						_, err := ac.create(l, fmt.Sprintf("%s load %d-%d", l.tag, ac.id, i), fmt.Sprintf("load-%s-%d-%d", l.tag, ac.id, i), st)
						return err
					})
				case 2:
					ls.op("api list").timed(func() error { return ac.get(l, fmt.Sprintf("/platform/v1/customers?page=%d&size=20", i%3)) })
				case 3:
					ls.op("api search").timed(func() error { return ac.get(l, "/platform/v1/customers?q="+url.QueryEscape(strings.ToLower(l.tag))) })
				}
			}
		}()
	}
	for n, cl := range l.pages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				switch i % 3 {
				case 0:
					ls.op("page list").timed(func() error { return page(cl, l.base+"/customers") })
				case 1:
					ls.op("page search").timed(func() error { return page(cl, l.base+"/customers?q=cluster") })
				case 2:
					ls.op("page customer").timed(func() error { return page(cl, l.base+"/customers/"+l.refs[(n*7+i)%len(l.refs)]) })
				}
			}
		}()
	}
	wg.Wait()
	ls.duration = time.Since(began)
	return ls
}

func (ac *apiClient) get(l *load, path string) error {
	status, _, b, err := ac.do(l, http.MethodGet, path, nil, nil)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("GET %s: %d %v %.200s", path, status, err, b)
	}
	return nil
}

// page reads a page as a signed-in person: 200 and not the sign-in form.
func page(cl *http.Client, u string) error {
	res, err := cl.Get(u)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d (signed out?) %.200s", u, res.StatusCode, b)
	}
	return nil
}

package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/webhook"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	admin   = access.Actor{Kind: access.ActorUser, ID: 2, Name: "Ada Admin", Role: access.RoleAdmin}
	admin2  = access.Actor{Kind: access.ActorUser, ID: 3, Name: "Alan Admin", Role: access.RoleAdmin}
	officer = access.Actor{Kind: access.ActorUser, ID: 1, Name: "Olivia Officer", Role: access.RoleOfficer}
)

// received is one request the receiver got.
type received struct {
	Path   string
	Header http.Header
	Body   []byte
	Env    webhook.Envelope
}

// receiver is a real HTTP receiver recording what it gets; status decides
// each answer (200 when nil).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status atomic.Value // func() int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		st := http.StatusOK
		if f, ok := r.status.Load().(func() int); ok && f != nil {
			st = f()
		}
		if st >= 200 && st < 300 {
			var env webhook.Envelope
			if err := json.Unmarshal(body, &env); err != nil {
				t.Errorf("receiver: %v in %s", err, body)
			}
			r.mu.Lock()
			r.got = append(r.got, received{Path: req.URL.Path, Header: req.Header.Clone(), Body: body, Env: env})
			r.mu.Unlock()
		}
		w.WriteHeader(st)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) answer(status int) { r.status.Store(func() int { return status }) }

func (r *receiver) all() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

type env struct {
	t   *testing.T
	ctx context.Context
	db  *sqlx.DB
	wh  *webhook.Service
	svc *customer.Service
}

// fastOptions are test options: private addresses allowed, short back-off.
func fastOptions() webhook.Options {
	return webhook.Options{AllowPrivate: true, BaseBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		Poll: 10 * time.Millisecond, Timeout: 2 * time.Second}
}

func newEnv(t *testing.T) *env {
	db := pgtest.New(t)
	wh := webhook.NewService(db, fastOptions())
	return &env{t: t, ctx: context.Background(), db: db, wh: wh,
		svc: customer.NewService(db, customer.Options{FourEyes: true, VerifyBaseURL: "https://verify.test/kyb", Events: wh})}
}

// endpoint registers url for events (all when none) and answers it with its secret.
func (e *env) endpoint(url string, events ...string) (*webhook.Endpoint, string) {
	e.t.Helper()
	if len(events) == 0 {
		for _, et := range customer.EventTypes {
			events = append(events, et.Name)
		}
	}
	ep, secret, err := e.wh.Create(e.ctx, admin, webhook.Input{URL: &url, Events: events})
	if err != nil {
		e.t.Fatal(err)
	}
	return ep, secret
}

// drain delivers until nothing is pending (or fails the test after 10 s).
func (e *env) drain() {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := e.wh.DeliverDue(e.ctx); err != nil {
			e.t.Fatal(err)
		}
		if e.count(`SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'`) == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatal("deliveries still pending after 10 s")
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.GetContext(e.ctx, &n, q, args...); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// create makes a PENDING customer shaped like the seed's example.
func (e *env) create(a access.Actor) *customer.Customer {
	e.t.Helper()
	var in customer.CreateInput
	if err := json.Unmarshal([]byte(seedInput), &in); err != nil {
		e.t.Fatal(err)
	}
	c, _, err := e.svc.Create(e.ctx, a, in, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) update(c *customer.Customer, body string, ifMatch customer.Versions) (*customer.Customer, error) {
	var up customer.DetailsUpdate
	if err := json.Unmarshal([]byte(body), &up); err != nil {
		e.t.Fatal(err)
	}
	return e.svc.Update(e.ctx, admin, c.Reference, up, ifMatch)
}

// second is another associate (its own e-mail and document).
var second = strings.NewReplacer("Sean.Bond@disney.com", "Mia.Bond@disney.com", `"number": "123456789"`, `"number": "987654321"`,
	`"documentNumber": "123456789"`, `"documentNumber": "987654321"`, `"firstName": "Sean"`, `"firstName": "Mia"`).Replace(associate)

// seedInput is a company shaped like the seed page's example, with two associates.
var seedInput = `{
  "riskScore": "LOW",
  "company": {
    "name": "Bond Holdings", "description": "Original description",
    "taxResidenceCountryCode": "US", "registrationNumber": "21-4532998",
    "address": {"addressLine1": "1 Main St", "addressLine2": "Floor 2", "city": "New York",
                "postalCode": "10001", "countryCode": "US", "country": "United States"},
    "associates": [` + associate + `, ` + second + `]
  }
}`

const associate = `{
      "person": {"firstName": "Sean", "lastName": "Bond", "dateOfBirth": "2001-01-31",
        "address": {"addressLine1": "101 West Broadway", "addressLine2": "Suite 1975", "city": "San Diego",
                    "postalCode": "92101", "countryCode": "US", "country": "United States"}},
      "details": {"birthCountryCode": "US",
        "contactInfo": {"emailAddress": "Sean.Bond@disney.com", "phoneNumber": "+123456789"},
        "documentNumber": "123456789",
        "documentInfo": {"number": "123456789", "type": "DRIVERS_LICENSE", "issuingCountryCode": "US"},
        "taxIdentification": {"number": "914764628", "taxResidenceCountryCode": "US"}},
      "title": "CEO", "riskScore": "LOW",
      "controls": {"hasOwnership": true, "hasControl": true, "isSigner": false}
    }`

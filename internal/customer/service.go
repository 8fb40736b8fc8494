package customer

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
)

// Options configure a Service.
type Options struct {
	FourEyes      bool             // the approver may not be the latest editor
	VerifyBaseURL string           // where fresh verification links point
	Now           func() time.Time // the clock; time.Now when nil (read at PostgreSQL's precision)
	// SearchCountLimit is how many matches of a search (q) List counts
	// before it reports the total as "at least"; DefaultSearchCountLimit when 0.
	SearchCountLimit int
	// ReviewSLA is how long a PENDING case may wait before it is overdue;
	// DefaultReviewSLA when 0.
	ReviewSLA time.Duration
	// HighRiskFirst makes NextCase hand out the oldest HIGH risk case first.
	HighRiskFirst bool
	// QueueCountTTL is how long the Overdue and "Changed since approval"
	// counts of the list are reused (DefaultQueueCountTTL in serve); 0 counts
	// on every request.
	QueueCountTTL time.Duration
	// Events receives the events of every customer write in its transaction
	// (the webhook outbox); nil sends none.
	Events Events
	// ReadDB is a streaming replica the customers list, search, counts and
	// CSV export read from (DATABASE_READ_URL); nil reads everything from
	// the primary. ReadUsable, when set, says whether it may be read now.
	ReadDB     *sqlx.DB
	ReadUsable func() bool
	// Evidence, when set, is one more approval precondition: the documents
	// the customer must have (package document's rule when
	// APPROVAL_REQUIRES_DOCUMENTS is on). It runs inside the approving
	// transaction, with the customer row locked.
	Evidence EvidenceChecker
}

// EvidenceChecker says which evidence a customer still lacks for approval.
// db is the approving transaction; the customer row is locked, so a document
// review (which takes the same lock) cannot change the answer before commit.
type EvidenceChecker interface {
	Missing(ctx context.Context, db sqlx.QueryerContext, c *Customer) ([]Problem, error)
	// MissingEach is Missing for many customers in a fixed number of
	// queries (a list page); the answer is in the order of list.
	MissingEach(ctx context.Context, db sqlx.QueryerContext, list []*Customer) ([][]Problem, error)
}

// RequiresEvidence says whether the evidence rule is on (approval needs
// accepted documents).
func (s *Service) RequiresEvidence() bool { return s.opts.Evidence != nil }

// attachEvidence fills Evidence of the customers when the evidence rule is
// on, so RequiredActions and the approve action list what documents lack.
func (s *Service) attachEvidence(ctx context.Context, db sqlx.QueryerContext, list ...*Customer) error {
	if s.opts.Evidence == nil || len(list) == 0 {
		return nil
	}
	missing, err := s.opts.Evidence.MissingEach(ctx, db, list)
	if err != nil {
		return err
	}
	for i, c := range list {
		c.Evidence = missing[i]
	}
	return nil
}

// DefaultReviewSLA is REVIEW_SLA's default.
const DefaultReviewSLA = 72 * time.Hour

// DefaultSearchCountLimit bounds the rows a search reads to count its
// matches (ten pages of 20); see List and docs/performance.md.
const DefaultSearchCountLimit = 200

// Service is the one way to read and change customers. Every rule, permission
// check, transaction and audit entry lives here, so pages and API agree.
type Service struct {
	db        *sqlx.DB
	stmts     *statements
	opts      Options
	queues    shared[queueCounts]
	assignees shared[[]Assignee]
	grams     shared[gramStats] // how common each one or two letters are (search.go)
	replica   *Service          // the same service on Options.ReadDB, for reader
	outbox    *outbox           // the write statements that store their events too, or nil
}

// NewService wires the service to its database.
func NewService(db *sqlx.DB, opts Options) *Service {
	clock := opts.Now
	if clock == nil {
		clock = time.Now
	}
	// Every timestamp the service makes (created, updated, imported) is cut to
	// the microsecond PostgreSQL keeps, so what a write answers equals what a
	// later read returns.
	opts.Now = func() time.Time { return atStoredPrecision(clock()) }
	if opts.SearchCountLimit <= 0 {
		opts.SearchCountLimit = DefaultSearchCountLimit
	}
	if opts.ReviewSLA <= 0 {
		opts.ReviewSLA = DefaultReviewSLA
	}
	opts.VerifyBaseURL = strings.TrimRight(opts.VerifyBaseURL, "/")
	s := &Service{db: db, stmts: newStatements(db), opts: opts, outbox: newOutbox(opts.Events)}
	if opts.ReadDB != nil {
		s.replica = &Service{db: opts.ReadDB, stmts: newStatements(opts.ReadDB), opts: opts}
	}
	return s
}

// atStoredPrecision is t in UTC cut to the microsecond, the precision of
// PostgreSQL's timestamptz.
func atStoredPrecision(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// prepared runs the store's fixed statements prepared, on the pool (tx nil)
// or in tx.
func (s *Service) prepared(tx *sqlx.Tx) sqlx.ExtContext {
	if tx == nil {
		return prepared{ExtContext: s.db, stmts: s.stmts}
	}
	return prepared{ExtContext: tx, tx: tx.Tx, stmts: s.stmts}
}

// Versions is what a writer expects the customer's version to be (from
// If-Match or a form's hidden field); empty means "any".
type Versions []int

func (v Versions) matches(current int) bool {
	if len(v) == 0 {
		return true
	}
	for _, x := range v {
		if x == current {
			return true
		}
	}
	return false
}

// ParseETags reads an If-Match header ("v3", W/"v3", a list, or *). ok is
// false when no tag can be read, which callers treat as a stale precondition.
func ParseETags(h string) (Versions, bool) {
	h = strings.TrimSpace(h)
	if h == "" || h == "*" {
		return nil, true
	}
	var out Versions
	for _, part := range strings.Split(h, ",") {
		p := strings.TrimPrefix(strings.TrimSpace(part), "W/")
		p = strings.Trim(p, `"`)
		p, _, _ = strings.Cut(p, ".") // the assignee suffix is not part of the version
		n, err := strconv.Atoi(strings.TrimPrefix(p, "v"))
		if err != nil || !strings.HasPrefix(p, "v") {
			continue
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return Versions{-1}, false
	}
	return out, true
}

func (s *Service) require(a access.Actor, p access.Permission, what string) error {
	if !a.Role.Can(p) {
		return apperr.Forbidden("your role (%s) may not %s", a.Role, what)
	}
	return nil
}

// Get returns one customer with its associates.
func (s *Service) Get(ctx context.Context, a access.Actor, ref uuid.UUID) (*Customer, error) {
	if err := s.require(a, access.PermRead, "read customers"); err != nil {
		return nil, err
	}
	c, err := getCustomer(ctx, s.prepared(nil), ref, false)
	if err != nil {
		return nil, err
	}
	return c, s.attachEvidence(ctx, s.db, c)
}

// GetCached is Get for the API's plain GET: the customer's row and
// associates may come from the version-keyed cache (listcache.go), never
// older than the version the database holds. The customer shares what it
// holds (associates, texts) with the cache: read it, do not change it.
func (s *Service) GetCached(ctx context.Context, a access.Actor, ref uuid.UUID) (*Customer, error) {
	j, err := s.GetCachedJSON(ctx, a, ref)
	return j.Customer, err
}

// GetCachedJSON is GetCached in the API's shape, its company's encoding
// kept with the customer's version too when the customer was.
func (s *Service) GetCachedJSON(ctx context.Context, a access.Actor, ref uuid.UUID) (JSON, error) {
	if err := s.require(a, access.PermRead, "read customers"); err != nil {
		return JSON{}, err
	}
	c, company, err := s.getCachedJSON(ctx, s.prepared(nil), ref)
	if err != nil {
		return JSON{}, err
	}
	if err := s.attachEvidence(ctx, s.db, c); err != nil {
		return JSON{}, err
	}
	j := AsJSON(c)
	j.company = company
	return j, nil
}

// History returns a customer's audit trail, newest first, before entry id
// `before` (0 for the newest), at most limit entries.
func (s *Service) History(ctx context.Context, a access.Actor, ref uuid.UUID, before int64, limit int) ([]audit.Entry, error) {
	if err := s.require(a, access.PermRead, "read customers"); err != nil {
		return nil, err
	}
	id, err := customerID(ctx, s.prepared(nil), ref)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return audit.ListByCustomer(ctx, s.prepared(nil), id, before, limit)
}

// Recent returns the newest history entries and notes of a customer just
// read (the customer page's previews), at most entries and notes of each,
// without looking the customer up again.
func (s *Service) Recent(ctx context.Context, a access.Actor, c *Customer, entries, notes int) ([]audit.Entry, []Note, error) {
	if err := s.require(a, access.PermRead, "read customers"); err != nil {
		return nil, nil, err
	}
	hist, err := audit.ListByCustomer(ctx, s.prepared(nil), c.ID, 0, entries)
	if err != nil {
		return nil, nil, err
	}
	list, err := s.notesOf(ctx, c.ID, 0, notes)
	return hist, list, err
}

// Update merges a details update into the customer (PUT/PATCH and the form).
func (s *Service) Update(ctx context.Context, a access.Actor, ref uuid.UUID, up DetailsUpdate, ifMatch Versions) (*Customer, error) {
	if err := s.require(a, access.PermEdit, "edit customers"); err != nil {
		return nil, err
	}
	return s.mutate(ctx, a, ref, ifMatch, func(cur *Customer) (*change, error) {
		next, err := ApplyDetails(*cur, up, s.opts.Now())
		if err != nil {
			return nil, err
		}
		return &change{next: &next, action: audit.ActionCustomerUpdate, edit: true}, nil
	})
}

// change is what a mutation wants written.
type change struct {
	next       *Customer
	action     string
	reason     string
	edit       bool // counts as a change to details or associates (four-eyes)
	associates bool // the associates list must be rewritten
	note       bool // the reason becomes a note linked to this change
}

// locked begins the write transaction of one customer: its row locked and
// the expected version checked (412 naming the newer change otherwise). The
// caller commits, or rolls back.
func (s *Service) locked(ctx context.Context, ref uuid.UUID, ifMatch Versions) (*sqlx.Tx, *Customer, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	cur, err := getCustomer(ctx, s.prepared(tx), ref, true)
	if err == nil && !ifMatch.matches(cur.Version) {
		err = s.stale(ctx, tx, cur)
	}
	if err != nil {
		_ = tx.Rollback()
		return nil, nil, err
	}
	return tx, cur, nil
}

// BeginWrite begins a write that belongs to the customer without changing
// it (a document upload or review): the customer row is locked FOR UPDATE,
// as every customer write does, so such a write and an approval never
// overlap. The caller commits or rolls back; the version is not bumped.
func (s *Service) BeginWrite(ctx context.Context, ref uuid.UUID) (*sqlx.Tx, *Customer, error) {
	return s.locked(ctx, ref, nil)
}

// LockIn locks the customer row FOR UPDATE in a transaction the caller
// began earlier and reads the customer: a document upload streams its files
// first and takes the lock only to record them, so a slow upload never holds
// up the customer's other writes.
func (s *Service) LockIn(ctx context.Context, tx *sqlx.Tx, ref uuid.UUID) (*Customer, error) {
	return getCustomer(ctx, s.prepared(tx), ref, true)
}

// mutate runs one write: read the customer, check the expected version,
// apply fn, and — when anything changed — store it, its audit entry and its
// events in one statement, its own transaction, that takes the row only at
// the version (and with the assignee) it was read at. Two round trips where a
// locked write takes four. When the row changed in between, or the events
// cannot go into the statement, the write runs again as mutateTx does, with
// the row locked: the same rules on the same rows either way. A write that
// changes nothing leaves no trace and keeps the version.
func (s *Service) mutate(ctx context.Context, a access.Actor, ref uuid.UUID, ifMatch Versions, fn func(cur *Customer) (*change, error)) (*Customer, error) {
	return s.mutateRead(ctx, a, ref, ifMatch, func(_ sqlx.ExtContext, cur *Customer) (*change, error) { return fn(cur) })
}

// mutateRead is mutate for a change that reads more (on the pool, not
// inside a transaction: only what a newer version or assignee would change).
//
// Its two statements run to their end even if the request is cancelled:
// with a context that can be cancelled, database/sql and lib/pq start a
// goroutine each per query to watch it, a good part of a write's own CPU.
// Both are short — an index probe, then one row's write, which waits at most
// for another short write of the same row — and a write that runs to its end
// never leaves the client unsure whether it happened. The locked retry
// (mutateTx) keeps the request's context.
func (s *Service) mutateRead(ctx context.Context, a access.Actor, ref uuid.UUID, ifMatch Versions, fn func(db sqlx.ExtContext, cur *Customer) (*change, error)) (*Customer, error) {
	if s.outbox == nil && s.opts.Events != nil {
		return s.mutateTx(ctx, a, ref, ifMatch, fn) // its events need the transaction
	}
	db := s.prepared(nil)
	cur, err := getCustomer(context.WithoutCancel(ctx), db, ref, false)
	if err != nil {
		return nil, err
	}
	if !ifMatch.matches(cur.Version) {
		return nil, s.stale(ctx, s.db, cur)
	}
	ch, err := fn(db, cur)
	if err != nil {
		return nil, err
	}
	next, w, ok := s.toWrite(a, cur, ch)
	if !ok {
		return cur, s.attachEvidence(ctx, s.db, cur)
	}
	if w.outbox == nil && s.opts.Events != nil {
		return s.mutateTx(ctx, a, ref, ifMatch, fn)
	}
	if _, err = writeChange(context.WithoutCancel(ctx), db, w); errors.Is(err, errChanged) {
		return s.mutateTx(ctx, a, ref, ifMatch, fn) // someone wrote in between: take the lock
	} else if err != nil {
		return nil, err
	}
	return next, s.attachEvidence(ctx, s.db, next)
}

// mutateTx is mutate with the customer row locked for the whole write: for
// changes whose rules read more inside the transaction (the approval's
// evidence check, which documents change without a new version).
func (s *Service) mutateTx(ctx context.Context, a access.Actor, ref uuid.UUID, ifMatch Versions, fn func(db sqlx.ExtContext, cur *Customer) (*change, error)) (*Customer, error) {
	tx, cur, err := s.locked(ctx, ref, ifMatch)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	db := s.prepared(tx)
	ch, err := fn(db, cur)
	if err != nil {
		return nil, err
	}
	next, w, ok := s.toWrite(a, cur, ch)
	if !ok {
		if err := s.attachEvidence(ctx, db, cur); err != nil {
			return nil, err
		}
		return cur, tx.Commit()
	}
	if _, err = writeChange(ctx, db, w); err != nil {
		return nil, err
	}
	if w.outbox == nil { // on their own after the change: record's order
		if err := s.emit(ctx, tx, mutationEvents(cur, next, ch)...); err != nil {
			return nil, err
		}
	}
	if err := s.attachEvidence(ctx, db, next); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return next, nil
}

// toWrite is what a change from cur stores — the customer after it, its
// audit entry, its events in the statement when they can be — or !ok when it
// changes nothing.
func (s *Service) toWrite(a access.Actor, cur *Customer, ch *change) (*Customer, written, bool) {
	diff := changes(cur, ch.next)
	if len(diff) == 0 {
		return cur, written{}, false
	}
	next := ch.next
	next.UpdatedAt = s.opts.Now().UTC()
	if ch.edit {
		who := a.Principal()
		next.LastEditor = &who
	}
	markReview(a, cur, next, diff, ch.edit)
	w := written{next: next, associates: ch.associates, note: ch.note, from: cur.Status, to: next.Status,
		entry: audit.Record{Actor: a, Action: ch.action, CustomerID: &next.ID, Changes: diff, Reason: ch.reason}}
	// the events go into the statement unless they carry what it sets (the
	// new status' time in data-updated)
	if s.outbox != nil && !(ch.edit && cur.Status != next.Status) {
		w.outbox, w.events = s.outbox, mutationEvents(cur, next, ch)
	}
	return next, w, true
}

// stale builds the 412 error naming who made the newer change and when.
func (s *Service) stale(ctx context.Context, db sqlx.QueryerContext, cur *Customer) error {
	last, err := audit.Latest(ctx, db, cur.ID)
	if err != nil {
		last = nil // the refusal stands; it just cannot say who
	}
	return newStaleError(cur, last)
}

func actorLabel(e *audit.Entry) string {
	if e.ActorType == access.ActorAPIKey {
		return "API key " + e.ActorName
	}
	return e.ActorName
}

const customerIDSQL = `SELECT id FROM customers WHERE reference = $1`

func customerID(ctx context.Context, db sqlx.QueryerContext, ref uuid.UUID) (int64, error) {
	var id int64
	if err := sqlx.GetContext(ctx, db, &id, customerIDSQL, ref); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, apperr.NotFound("customer " + ref.String())
		}
		return 0, fmt.Errorf("customer id: %w", err) // an outage is not "not found"
	}
	return id, nil
}

// changes lists what turning cur into next changes, for the audit trail.
// A part that is equal on both sides — the associates of a details edit, the
// whole company of a status change — can only yield no change, so it is left
// out of the comparison; flatView builds the rest without JSON.
func changes(cur, next *Customer) []audit.Change {
	company := !reflect.DeepEqual(cur.Company, next.Company)
	associates := company && !reflect.DeepEqual(cur.Company.Associates, next.Company.Associates)
	return audit.DiffFlat(flatView(cur, company, associates), flatView(next, company, associates))
}

// diffView is the customer as the audit trail compares it: associates keyed
// by reference (so reordering or removal reads clearly), timestamps left out.
func diffView(c *Customer) any { return diffViewOf(c, true, true) }

// diffViewOf is diffView with the company, or just its associates, left out.
func diffViewOf(c *Customer, company, associates bool) any {
	view := map[string]any{"status": string(c.Status), "riskScore": string(c.RiskScore)}
	if !company {
		return view
	}
	assoc := map[string]any{}
	for i := range c.Company.Associates {
		if associates {
			assoc["["+c.Company.Associates[i].Person.Reference.String()+"]"] = associateView(&c.Company.Associates[i], i)
		}
	}
	details := c.Company
	details.Associates = nil
	co, _ := audit.JSONValue(details).(map[string]any)
	co["associates"] = assoc
	view["company"] = co
	return view
}

func associateView(a *Associate, position int) map[string]any {
	v, _ := audit.JSONValue(a).(map[string]any)
	if p, ok := v["person"].(map[string]any); ok {
		delete(p, "reference")
	}
	delete(v, "details") // re-added below without the mirrored documentNumber
	d, _ := audit.JSONValue(a.Details).(map[string]any)
	delete(d, "documentNumber")
	v["details"] = d
	v["position"] = position
	return v
}

// newVerification makes a fresh, unguessable verification link.
func (s *Service) newVerification() Verification {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return Verification{URL: s.opts.VerifyBaseURL + "/" + base64.RawURLEncoding.EncodeToString(b[:]), Status: "infoRequired"}
}

// IsNotFound is a convenience for callers that branch on a missing customer.
func IsNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }

package customer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/apperr"
)

// A list page through the API shows twenty customers with their associates.
// Reading them whole was most of a page's cost — some 600 customer values and
// 40 associate rows of 26 values, printed by PostgreSQL and parsed again by
// lib/pq — and a queue's pages show the same customers again and again. So
// what a page read is kept by customer and version. Every change of a
// customer through Verity (details, associates, status, review) is one
// statement that bumps its version (writeChange), and a new customer starts
// at version 1, so the row and the associates of (id, version) never change —
// except the case owner, which an assignment changes without a new version:
// the page reads it afresh every time, with the owner's name and e-mail.
//
// A page therefore reads, in list order, each customer's id, version and
// owner; only the customers whose (id, version) is not kept are read whole.
// What a page shows is exactly what it would have read, on every instance and
// from a replica alike — never an older version. An entry is dropped after
// listCacheMaxAge, so a change made by hand in SQL (which does not bump the
// version) shows on lists within a minute.
//
// The API's plain GET of one customer (GetCached) keeps to the same rule and
// the same cache: it reads the customer's key, owner and last editor (as a
// principal: an API key's owner can change) by reference, and the row and
// associates of that (id, version) from the cache; on a miss it reads the
// customer whole in one statement, whose row and associates are of one
// snapshot, and keeps them under the version that statement read. What a
// document or its review changes (requiredActions) is read afresh as before.
// Every read inside a write, the pages' reads and a write's answer never
// come from here.

// Bounds of the list cache: a few MB at about 2 kB per customer.
const (
	listCacheSize   = 4096
	listCacheMaxAge = time.Minute
)

type versionedEntry[T any] struct {
	version int
	v       T
	at      time.Time
}

// versioned keeps one value per customer id, for the version it was read at.
// An entry is never changed once kept (put keeps a new one), so a reader
// holds it without copying it: a customer row is some 600 bytes, and GET
// one of a kept customer needs only when it was kept.
type versioned[T any] struct {
	mu sync.Mutex
	m  map[int64]*versionedEntry[T]
}

func newVersioned[T any]() *versioned[T] {
	return &versioned[T]{m: make(map[int64]*versionedEntry[T])}
}

// get returns the value kept for customer id at version, if any.
func (c *versioned[T]) get(id int64, version int, now time.Time) (T, bool) {
	e, ok := c.entry(id, version, now)
	if !ok {
		var zero T
		return zero, false
	}
	return e.v, true
}

// entry is get with the time the value was kept: the entry itself, not to
// be changed.
func (c *versioned[T]) entry(id int64, version int, now time.Time) (*versionedEntry[T], bool) {
	c.mu.Lock()
	e := c.m[id]
	c.mu.Unlock()
	if e == nil || e.version != version || now.Sub(e.at) > listCacheMaxAge {
		return nil, false
	}
	return e, true
}

// put keeps v for customer id at version; when full, an arbitrary entry
// makes room.
func (c *versioned[T]) put(id int64, version int, v T, now time.Time) {
	e := &versionedEntry[T]{version: version, v: v, at: now}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[id]; !ok && len(c.m) >= listCacheSize {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[id] = e
}

// listCache is what lists read, by customer and version.
type listCache struct {
	rows       *versioned[customerRow] // the owner's fields are not used from here
	associates *versioned[[]Associate] // never changed in place: handed out as copies
	// company is GET one's encoding of a customer's company with its
	// associates — all of it of the version, none of it the owner's or the
	// evidence — and, once GET one kept it, the customer it encodes; never
	// changed in place.
	company *versioned[keptCompany]
}

// keptCompany is a customer's company encoded (AppendJSON's "company") and,
// when GET one kept it, the customer built from the same row and
// associates, without its owner and last editor (read afresh each time):
// a GET copies it rather than building it from the row again.
type keptCompany struct {
	json     []byte
	customer *Customer // nil when a list page kept the entry
}

func newListCache() *listCache {
	return &listCache{rows: newVersioned[customerRow](), associates: newVersioned[[]Associate](), company: newVersioned[keptCompany]()}
}

// listKeyColumns are what a cached page reads of each customer: the key of
// its cached row and the case owner, which changes without a new version.
const listKeyColumns = `id, version, assignee_id, (SELECT su.email FROM staff_users su WHERE su.id = assignee_id),
(SELECT su.name FROM staff_users su WHERE su.id = assignee_id)`

// rowsWholeSQL reads whole customer rows, in no order.
var rowsWholeSQL = `SELECT ` + customerColumns + `, 0::bigint FROM customers WHERE id = ANY($1)`

// pageRowsCached reads a page's keys (q: listSQL with listKeyColumns) through
// db and fills each row from the cache, or else from one read of the
// missing rows.
func (s *Service) pageRowsCached(ctx context.Context, db sqlx.QueryerContext, q string, args []any) ([]customerRow, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]customerRow, 0, 21) // a default page and the row past it
	for rows.Next() {
		var k customerRow
		var version int64
		if err := rows.Scan(&k.ID, &version, &k.AssigneeID, &k.AssigneeEmail, &k.AssigneeName); err != nil {
			return nil, err
		}
		k.Version = version
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s.rowsFromCache(ctx, out)
}

// rowsFromCache fills a page's keys (id, version, owner) with their rows
// from the cache, or else from one read of the missing rows; it fills and
// returns out itself.
func (s *Service) rowsFromCache(ctx context.Context, out []customerRow) ([]customerRow, error) {
	now := time.Now()
	var missing []int64
	for i := range out {
		k := &out[i]
		if e, ok := s.stmts.list.rows.entry(k.ID, int(k.Version), now); ok {
			r := e.v
			r.AssigneeID, r.AssigneeEmail, r.AssigneeName = k.AssigneeID, k.AssigneeEmail, k.AssigneeName
			r.keptAt = e.at
			*k = r
			continue
		}
		missing = append(missing, k.ID)
	}
	if len(missing) == 0 {
		return out, nil
	}
	read, err := queryCustomers(ctx, s.prepared(nil), true, rowsWholeSQL, pq.Array(missing))
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]int, len(out))
	for i := range out {
		byID[out[i].ID] = i
	}
	for _, r := range read {
		s.stmts.list.rows.put(r.ID, int(r.Version), r, now)
		r.keptAt = now
		// Read after the page, the row may be of a newer version (and owner):
		// it is shown as read, as a page read in two statements always could.
		out[byID[r.ID]] = r
	}
	// A row gone between the two reads is left as its key alone: dropped.
	kept := out[:0]
	for _, r := range out {
		if r.Reference != uuid.Nil {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// listAssociatesVersionedSQL reads the associates of many customers, each
// row with its customer's version as the same statement sees it: a writer
// that committed after the page's rows were read cannot have its associates
// kept under the version the page read.
var listAssociatesVersionedSQL = `SELECT ` + associateColumns + `,
(SELECT c.version FROM customers c WHERE c.id = associates.customer_id)
FROM associates WHERE customer_id = ANY($1) ORDER BY customer_id, position`

// attachAssociates gives each customer of a list its associates: those kept
// for its id and version, copied; the rest read in one query and kept.
// kept, when given, holds when each customer's row was kept (zero: not
// kept); it becomes when its company as a whole was — the earlier of its
// row and its associates — or zero when the associates are not those kept
// for the row's version.
func (st *statements) attachAssociates(ctx context.Context, db sqlx.QueryerContext, list []*Customer, kept []time.Time) error {
	now := time.Now()
	var missing []int64
	byID := make(map[int64]*Customer, len(list))
	at := make(map[int64]int, len(list)) // customer id → its index in kept
	for i, c := range list {
		if e, ok := st.list.associates.entry(c.ID, c.Version, now); ok {
			c.Company.Associates = append(make([]Associate, 0, len(e.v)), e.v...)
			if kept != nil && e.at.Before(kept[i]) {
				kept[i] = e.at
			}
			continue
		}
		missing = append(missing, c.ID)
		byID[c.ID] = c
		at[c.ID] = i
	}
	if len(missing) == 0 {
		return nil
	}
	read := make(map[int64]int, len(missing)) // customer id → the version its associates were read at
	var r associateRow
	var version int64
	dest := append(r.dest(), &version)
	rows, err := db.QueryContext(ctx, listAssociatesVersionedSQL, pq.Array(missing))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		c := byID[r.CustomerID]
		c.Company.Associates = append(c.Company.Associates, r.associate())
		read[r.CustomerID] = int(version)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// A customer without associates returns no row, so no version: it is
	// read again next time rather than kept under a version not seen here.
	for id, v := range read {
		as := byID[id].Company.Associates
		st.list.associates.put(id, v, append(make([]Associate, 0, len(as)), as...), now)
	}
	for id, i := range at {
		if kept == nil {
			break
		}
		if v, ok := read[id]; !ok || v != byID[id].Version {
			kept[i] = time.Time{} // none kept, or of another version than the row
		} else if now.Before(kept[i]) {
			kept[i] = now
		}
	}
	return nil
}

// companiesKept answers, for the customers of an API list page, their
// companies encoded (AppendJSON's "company"): kept for each customer's
// version and bound, as GET one's are, to the time its row and associates
// were kept (kept[i]); a customer not kept (zero) is encoded afresh and not
// kept. A page of 20 customers spent a sixth of its time in encoding them.
func (st *statements) companiesKept(list []*Customer, kept []time.Time) [][]byte {
	now := time.Now()
	out := make([][]byte, len(list))
	for i, c := range list {
		if kept[i].IsZero() {
			continue // AppendJSON encodes it
		}
		if ce, ok := st.list.company.entry(c.ID, c.Version, now); ok && ce.at.Equal(kept[i]) {
			out[i] = ce.v.json
			continue
		}
		out[i] = appendCompany(nil, &c.Company)
		st.list.company.put(c.ID, c.Version, keptCompany{json: out[i]}, kept[i])
	}
	return out
}

// getKeySQL reads what a cached GET reads of a customer every time: its
// list key and owner, and the last editor as a principal.
var getKeySQL = `SELECT ` + listKeyColumns + `, ` + lastEditorPrincipal + ` FROM customers WHERE reference = $1`

// getCachedJSON reads a customer through db: its key, then the row and the
// associates kept for its version, or else the whole customer, kept. A kept
// customer comes with its company encoded (AppendJSON's "company"), kept for
// the version too; a customer just read, with nil.
//
// The key read is one index probe, so it runs to its end even if the
// request is cancelled: with a context that can be cancelled database/sql
// starts a goroutine per query to watch it, a good share of a cached GET's
// own CPU.
func (s *Service) getCachedJSON(ctx context.Context, db sqlx.ExtContext, ref uuid.UUID) (*Customer, []byte, error) {
	var k customerRow
	err := queryRow(context.WithoutCancel(ctx), db, []any{&k.ID, &k.Version, &k.AssigneeID, &k.AssigneeEmail, &k.AssigneeName, &k.LastEditor}, getKeySQL, ref)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, apperr.NotFound("customer " + ref.String())
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get customer: %w", err)
	}
	now := time.Now()
	cache := s.stmts.list
	if e, ok := cache.rows.entry(k.ID, int(k.Version), now); ok {
		if ae, ok := cache.associates.entry(k.ID, int(k.Version), now); ok {
			at := e.at
			if ae.at.Before(at) {
				at = ae.at
			}
			// The encoding and the customer are kept as of the row and
			// associates they were built from and used only with them:
			// dropped when they are, so a hand edit (no new version) still
			// shows within a minute.
			var kept keptCompany
			if ce, ok := cache.company.entry(k.ID, int(k.Version), now); ok && ce.at.Equal(at) {
				kept = ce.v
			}
			if kept.customer == nil {
				r := e.v
				r.AssigneeID, r.AssigneeEmail, r.AssigneeName, r.LastEditor = sql.NullInt64{}, sql.NullString{}, sql.NullString{}, sql.NullString{}
				r.AssociateCount = 0 // a list's, not shown here
				kc := r.customer()
				kc.Company.Associates = append(kc.Company.Associates, ae.v...)
				if kept.json == nil {
					kept.json = appendCompany(nil, &kc.Company)
				}
				kept.customer = kc
				cache.company.put(k.ID, int(k.Version), kept, at)
			}
			c := new(Customer)
			*c = *kept.customer
			c.Company.Associates = slices.Clip(c.Company.Associates) // an append copies
			c.Assignee, c.LastEditor = k.assignee(), nullString(k.LastEditor)
			return c, kept.json, nil
		}
	}
	r, c, err := readCustomer(ctx, db, ref, false)
	if err != nil {
		return nil, nil, err
	}
	cache.rows.put(r.ID, int(r.Version), r, now)
	cache.associates.put(r.ID, int(r.Version), append(make([]Associate, 0, len(c.Company.Associates)), c.Company.Associates...), now)
	return c, nil, nil
}

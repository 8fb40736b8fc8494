package customer

import (
	"context"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// A list page shows each customer with its associates. Reading them was
// half of a page's cost (some 40 rows of 26 values, printed by PostgreSQL
// and parsed again by lib/pq), and a queue's pages show the same customers
// again and again. So the associates a list reads are kept by customer and
// version: every change of a customer's associates bumps its version in the
// same statement (writeChange), and a new customer starts at version 1 with
// its associates, so the associates of (id, version) never change. A page
// reads each customer's row, version included, as before; only associates
// whose (id, version) is not kept are read. What a page shows is therefore
// exactly what it would read, on every instance and from a replica alike —
// never an older version. An entry is also dropped after maxAge, so a change
// made outside Verity (by hand in SQL, which does not bump the version) shows
// within a minute.

// Bounds of the associates cache: a few MB at about 1 kB per customer.
const (
	associateCacheSize   = 4096
	associateCacheMaxAge = time.Minute
)

type associateEntry struct {
	version int
	list    []Associate
	at      time.Time
}

// associateCache keeps the associates of recently listed customers by id,
// each for the version it was read at.
type associateCache struct {
	mu sync.Mutex
	m  map[int64]associateEntry
}

func newAssociateCache() *associateCache {
	return &associateCache{m: make(map[int64]associateEntry)}
}

// get returns a copy of the associates of customer id at version, if kept;
// the copy is the caller's to change (the pointed-to values are shared and
// are never changed in place).
func (ac *associateCache) get(id int64, version int, now time.Time) ([]Associate, bool) {
	ac.mu.Lock()
	e, ok := ac.m[id]
	ac.mu.Unlock()
	if !ok || e.version != version || now.Sub(e.at) > associateCacheMaxAge {
		return nil, false
	}
	out := make([]Associate, len(e.list))
	copy(out, e.list)
	return out, true
}

// put keeps list as the associates of customer id at version; when full,
// an arbitrary entry makes room.
func (ac *associateCache) put(id int64, version int, list []Associate, now time.Time) {
	kept := make([]Associate, len(list))
	copy(kept, list)
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if _, ok := ac.m[id]; !ok && len(ac.m) >= associateCacheSize {
		for k := range ac.m {
			delete(ac.m, k)
			break
		}
	}
	ac.m[id] = associateEntry{version: version, list: kept, at: now}
}

// listAssociatesVersionedSQL reads the associates of many customers, each
// row with its customer's version as the same statement sees it: a writer
// that committed after the page's rows were read cannot have its associates
// kept under the version the page read.
var listAssociatesVersionedSQL = `SELECT ` + associateColumns + `,
(SELECT c.version FROM customers c WHERE c.id = associates.customer_id)
FROM associates WHERE customer_id = ANY($1) ORDER BY customer_id, position`

// attachAssociates gives each customer of a list its associates: those kept
// for its id and version from the cache, the rest read in one query and kept.
func (st *statements) attachAssociates(ctx context.Context, db sqlx.QueryerContext, list []*Customer) error {
	now := time.Now()
	var missing []int64
	byID := make(map[int64]*Customer, len(list))
	for _, c := range list {
		if as, ok := st.associates.get(c.ID, c.Version, now); ok {
			c.Company.Associates = as
			continue
		}
		missing = append(missing, c.ID)
		byID[c.ID] = c
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
		st.associates.put(id, v, byID[id].Company.Associates, now)
	}
	return nil
}

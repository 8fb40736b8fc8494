package customer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lib/pq"
)

// searchGINIndexes are the GIN indexes every imported customer adds entries
// to: the trigram index on search_text and the short-term grams' index.
var searchGINIndexes = []string{"customers_search_idx", "customer_search_grams_idx"}

// searchPendingListKB is the pending list the migrations give those indexes
// (00002, 00011): short, because every search through them reads it whole.
const searchPendingListKB = 256

// bulkPendingListKB is the pending list a bulk import gives them while it
// runs: its entries gather there and go into the indexes in a few sorted
// passes instead of one insertion per key and customer — PostgreSQL's CPU
// per imported line falls by a fifth (docs/import.md, "Long pending lists
// during a bulk import").
const bulkPendingListKB = 65536

// pendingListLockTimeout bounds each wait for the indexes' lock (changing
// the limit takes an ACCESS EXCLUSIVE lock on the index for a moment):
// queries arriving meanwhile queue behind the request, so it never waits
// long.
const pendingListLockTimeout = 300 * time.Millisecond

// widenPendingLists gives the search indexes bulkPendingListKB for an
// import, before its first batch. It answers whether it did: when the lock
// is not had within pendingListLockTimeout (a long query holds an index) or
// the role does not own the indexes, the import runs with the short lists —
// slower, the same result.
func (s *Service) widenPendingLists(ctx context.Context) bool {
	return s.setPendingLists(ctx, bulkPendingListKB) == nil
}

// narrowPendingLists moves the entries gathered in the search indexes'
// pending lists into the indexes (searches right after read short lists)
// and gives the indexes back searchPendingListKB, trying for the lock a few
// times: a long list left behind slows every search until the next import.
func (s *Service) narrowPendingLists(ctx context.Context) error {
	var err error
	for try := 0; try < 20; try++ {
		if err = s.flushPendingLists(ctx); err == nil {
			if err = s.setPendingLists(ctx, searchPendingListKB); err == nil {
				return nil
			}
		}
		if !lockTimedOut(err) || ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("search indexes' pending lists: %w", err)
}

// flushPendingLists runs gin_clean_pending_list on the search indexes, each
// on its own connection: each is one core's work.
func (s *Service) flushPendingLists(ctx context.Context) error {
	statements := make([]string, len(searchGINIndexes))
	for i, idx := range searchGINIndexes {
		statements[i] = `SELECT gin_clean_pending_list(` + pq.QuoteLiteral(idx) + `::regclass)`
	}
	return runTogether(ctx, s.db, len(statements), statements...)
}

// setPendingLists sets the search indexes' gin_pending_list_limit to kb, in
// one transaction that waits at most pendingListLockTimeout for each lock.
func (s *Service) setPendingLists(ctx context.Context, kb int) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit: no-op
	if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '`+strconv.Itoa(int(pendingListLockTimeout.Milliseconds()))+`ms'`); err != nil {
		return err
	}
	for _, idx := range searchGINIndexes {
		// An identifier and a number of ours: ALTER takes no parameters.
		if _, err := tx.ExecContext(ctx, `ALTER INDEX `+pq.QuoteIdentifier(idx)+` SET (gin_pending_list_limit = `+strconv.Itoa(kb)+`)`); err != nil {
			return fmt.Errorf("set %s's pending list: %w", idx, err)
		}
	}
	return tx.Commit()
}

// lockTimedOut tells PostgreSQL's lock_not_available (lock_timeout).
func lockTimedOut(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "55P03"
}

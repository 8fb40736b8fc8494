package customer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/jsonx"
	"github.com/verity-kyb/verity/internal/validate"
)

// ImportRecord is one customer in the full JSON shape, as `verity import`
// reads it: references, statuses and verification links are kept.
type ImportRecord struct {
	Reference *string    `json:"reference"`
	Status    *string    `json:"status"`
	CreatedAt *time.Time `json:"createdAt"`
	UpdatedAt *time.Time `json:"updatedAt"`
	// StatusSince is kept; Assignee is accepted (an exported customer
	// imports as is) but ignored: staff ids belong to one database.
	StatusSince *time.Time      `json:"statusSince"`
	Assignee    json.RawMessage `json:"assignee"`
	// ReviewRequired and RequiredActions are accepted and ignored: an
	// imported customer starts settled (review.go).
	ReviewRequired  json.RawMessage `json:"reviewRequired"`
	RequiredActions json.RawMessage `json:"requiredActions"`
	CreateInput
}

// ImportResult counts what an import did: new customers stored, lines
// refused, and lines whose customer already existed, left alone
// (ConflictSkip) or updated (ConflictUpdate).
type ImportResult struct {
	Imported int
	Failed   int
	Skipped  int
	Updated  int
}

// ImportOptions are the operator's choices for one import.
type ImportOptions struct {
	// Lines, when set, is told of every line read (blank ones too), for a
	// progress display; it is called from the reading goroutine only.
	Lines func(n int)
	// OnConflict is what a line whose reference is a stored customer's
	// does (ConflictFail when empty).
	OnConflict OnConflict
	// TrustStatus keeps each line's status as it is, without the approval
	// preconditions a VERIFIED line must otherwise meet, and says so in
	// every imported customer's audit entry (TrustedStatusReason).
	TrustStatus bool
	// Loaded, when set, runs once every line is stored, before the tables
	// are analysed (a seed builds the indexes it deferred); its error is
	// the import's.
	Loaded func(ctx context.Context) error
	// Bulk tells that many lines are coming (verity import of a large
	// file): the search indexes gather the import's entries in long pending
	// lists while it runs, flushed and shortened again before it returns
	// (import_pending.go).
	Bulk bool
}

// TrustedStatusReason is the audit reason of a customer imported with
// ImportOptions.TrustStatus.
const TrustedStatusReason = "status trusted on import (--trust-status): approval preconditions not checked"

// LineError is a line of the import that was not stored, and why.
type LineError struct {
	Line int
	Err  error
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// importBatch is how many lines one worker parses and writes in one
// transaction (three COPY statements when none needs its own).
const importBatch = 2000

// importWorkers is how many batches are parsed and written at once.
const importWorkers = 3

// rawLine is one non-blank line of the file and its number, or a record
// made in memory (ImportRecords) in place of the line's text.
type rawLine struct {
	line int
	raw  []byte
	rec  *ImportRecord
}

// parseBatch parses and validates a batch's lines (refusing the bad ones
// through fail) and answers the good ones, in order.
func (s *Service) parseBatch(raw []rawLine, trust bool, fail func(LineError)) []importItem {
	out := make([]importItem, 0, len(raw))
	for _, r := range raw {
		var c *Customer
		var rec *ImportRecord
		var err error
		if r.rec != nil {
			c, rec, err = s.parseRecord(r.rec)
		} else {
			c, rec, err = s.parseImport(r.raw)
		}
		if err == nil && !trust {
			err = verifiedRefusal(c, ApprovalProblems(c))
		}
		if err != nil {
			fail(LineError{Line: r.line, Err: err})
			continue
		}
		out = append(out, importItem{r.line, c, rec})
	}
	return out
}

// Import is ImportWith with the default options.
func (s *Service) Import(ctx context.Context, a access.Actor, r io.Reader, report func(LineError)) (ImportResult, error) {
	return s.ImportWith(ctx, a, r, ImportOptions{}, report)
}

// ImportWith reads customers as JSON Lines and stores each valid line; a bad
// line is refused with its number and nothing of it is stored. Lines are
// parsed and written in batches by a few workers, one transaction per batch
// (storeBatch); refused lines are reported in line order once every line has
// been settled.
func (s *Service) ImportWith(ctx context.Context, a access.Actor, r io.Reader, opts ImportOptions, report func(LineError)) (ImportResult, error) {
	return s.importFrom(ctx, a, opts, report, func(emit func(rawLine)) error {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 4<<20)
		line := 0
		for sc.Scan() {
			if err := ctx.Err(); err != nil { // interrupted: stop reading, settle what was read
				return err
			}
			line++
			if opts.Lines != nil {
				opts.Lines(line)
			}
			raw := bytes.TrimSpace(sc.Bytes())
			if len(raw) == 0 {
				continue
			}
			emit(rawLine{line: line, raw: bytes.Clone(raw)})
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("read line %d: %w", line+1, err)
		}
		return nil
	})
}

// ImportRecords is ImportWith for records made in memory (verity seed's
// generated customers): the same validation and writes without JSON text in
// between. next answers nil after the last record; record i is "line" i+1.
func (s *Service) ImportRecords(ctx context.Context, a access.Actor, next func() *ImportRecord, opts ImportOptions, report func(LineError)) (ImportResult, error) {
	return s.importFrom(ctx, a, opts, report, func(emit func(rawLine)) error {
		for line := 1; ; line++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec := next()
			if rec == nil {
				return nil
			}
			if opts.Lines != nil {
				opts.Lines(line)
			}
			emit(rawLine{line: line, rec: rec})
		}
	})
}

// importFrom runs an import of the lines read emits, in order.
func (s *Service) importFrom(ctx context.Context, a access.Actor, opts ImportOptions, report func(LineError), read func(emit func(rawLine)) error) (ImportResult, error) {
	var res ImportResult
	if err := s.require(a, access.PermEdit, "import customers"); err != nil {
		return res, err
	}
	var mu sync.Mutex
	var refused []LineError
	fail := func(le LineError) {
		mu.Lock()
		res.Failed++
		refused = append(refused, le)
		mu.Unlock()
	}
	defer func() {
		sort.SliceStable(refused, func(i, j int) bool { return refused[i].Line < refused[j].Line })
		for _, le := range refused {
			report(le)
		}
	}()
	widened := opts.Bulk && s.widenPendingLists(ctx)
	narrow := func() error {
		if !widened {
			return nil
		}
		widened = false
		return s.narrowPendingLists(context.WithoutCancel(ctx))
	}
	defer narrow() //nolint:errcheck // on the early returns; the normal end checks it below
	lz4 := s.lz4Available(ctx)
	batches := make(chan []rawLine)
	var wg sync.WaitGroup
	var firstErr error
	for w := 0; w < importWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for raw := range batches {
				b := s.parseBatch(raw, opts.TrustStatus, fail)
				rest, err := s.settleExisting(ctx, a, opts.OnConflict, b, func(it importItem, err error) {
					if err != nil {
						fail(LineError{Line: it.line, Err: err})
						return
					}
					mu.Lock()
					if opts.OnConflict == ConflictSkip {
						res.Skipped++
					} else {
						res.Updated++
					}
					mu.Unlock()
				})
				if err != nil { // the lookup failed: none of the batch was stored
					mu.Lock()
					firstErr = err
					mu.Unlock()
					for _, it := range b {
						fail(LineError{Line: it.line, Err: err})
					}
					continue
				}
				b = rest
				cs := make([]*Customer, len(b))
				for i := range b {
					cs[i] = b[i].c
				}
				n, errs := s.storeBatch(ctx, a, cs, opts.TrustStatus, lz4)
				mu.Lock()
				res.Imported += n
				mu.Unlock()
				for i, err := range errs {
					if err != nil {
						if apperr.KindOf(err) == apperr.KindInternal && ctx.Err() != nil {
							mu.Lock()
							firstErr = err
							mu.Unlock()
						}
						fail(LineError{Line: b[i].line, Err: err})
					}
				}
			}
		}()
	}
	var batch []rawLine
	readErr := read(func(l rawLine) {
		batch = append(batch, l)
		if len(batch) == importBatch {
			batches <- batch
			batch = nil
		}
	})
	if len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	wg.Wait()
	if readErr != nil {
		return res, readErr
	}
	if firstErr == nil && opts.Loaded != nil {
		firstErr = opts.Loaded(ctx)
	}
	if err := narrow(); err != nil && firstErr == nil {
		firstErr = err
	}
	if firstErr == nil && res.Imported >= bulkLoadRows {
		firstErr = AfterBulkLoad(ctx, s.db)
	}
	return res, firstErr
}

// bulkLoadRows is the import size from which Import runs AfterBulkLoad;
// autovacuum takes care of smaller ones.
const bulkLoadRows = 1000

// parseImport decodes and validates one line with the same rules as create.
func (s *Service) parseImport(raw []byte) (*Customer, *ImportRecord, error) {
	var rec ImportRecord
	if err := jsonx.Decode(raw, &rec); err != nil {
		return nil, nil, err
	}
	return s.parseRecord(&rec)
}

// parseRecord validates one decoded line with the same rules as create.
func (s *Service) parseRecord(rec *ImportRecord) (*Customer, *ImportRecord, error) {
	now := s.opts.Now().UTC()
	c, _, err := ValidateCreate(rec.CreateInput, now)
	errs := apperr.FieldErrors{}
	c.Reference = parseRef(errs, "reference", rec.Reference)
	if rec.Status != nil {
		st, ok := ParseStatus(*rec.Status)
		if !ok {
			errs.Add("status", "must be one of PENDING, VERIFIED, REJECTED")
		}
		c.Status = st
	}
	c.CreatedAt, c.UpdatedAt = now, now
	if rec.CreatedAt != nil {
		c.CreatedAt = atStoredPrecision(*rec.CreatedAt)
	}
	if rec.UpdatedAt != nil {
		c.UpdatedAt = atStoredPrecision(*rec.UpdatedAt)
	}
	if rec.StatusSince != nil {
		c.StatusSince = atStoredPrecision(*rec.StatusSince)
	}
	c.Company.Verification = s.importVerification(errs, "company.verification", rec.Company.Verification)
	for i := range c.Company.Associates {
		in := rec.Company.Associates[i]
		path := fmt.Sprintf("company.associates[%d]", i)
		c.Company.Associates[i].Person.Reference = parseRef(errs, path+".person.reference", in.Person.Reference)
		c.Company.Associates[i].Verification = s.importVerification(errs, path+".verification", in.Verification)
	}
	if err != nil || len(errs) > 0 {
		return nil, nil, mergeInvalid(err, apperr.Invalid(errs))
	}
	return &c, rec, nil
}

// parseRef keeps a given reference or makes a new one.
func parseRef(errs apperr.FieldErrors, path string, p *string) uuid.UUID {
	if p == nil || strings.TrimSpace(*p) == "" {
		return uuid.New()
	}
	id, err := uuid.Parse(*p)
	if err != nil {
		errs.Add(path, "must be a UUID")
	}
	return id
}

// importVerification keeps a given verification or makes a fresh one.
func (s *Service) importVerification(errs apperr.FieldErrors, path string, in *VerificationInput) Verification {
	if in == nil {
		return s.newVerification()
	}
	var v Verification
	if in.URL != nil {
		v.URL = *in.URL
	}
	if in.Status != nil {
		v.Status = *in.Status
	}
	if msg := validate.Text(v.URL, validate.MaxURL, true); msg != "" {
		errs.Add(path+".url", msg)
	}
	if msg := validate.Text(v.Status, validate.MaxVerificationStatus, true); msg != "" {
		errs.Add(path+".status", msg)
	}
	return v
}

// storeAll inserts customers in one transaction. Unless the status is
// trusted, a VERIFIED customer must also have the evidence approval needs
// when that rule is on (checked after its insert, in the same transaction).
func (s *Service) storeAll(ctx context.Context, a access.Actor, cs []*Customer, trust bool) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	for _, c := range cs {
		c.ID = 0
		reason := ""
		if trust {
			reason = TrustedStatusReason
		}
		if err := s.insert(ctx, tx, a, c, audit.ActionCustomerImport, reason); err != nil {
			return err
		}
		if !trust && c.Status == StatusVerified && s.opts.Evidence != nil {
			missing, err := s.opts.Evidence.Missing(ctx, s.prepared(tx), c)
			if err != nil {
				return err
			}
			if err := verifiedRefusal(c, missing); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// verifiedRefusal refuses a line that arrives VERIFIED with unmet approval
// preconditions (those the API checks: ApprovalProblems, then the evidence
// rule's missing documents), naming every one.
func verifiedRefusal(c *Customer, problems []Problem) error {
	if c.Status != StatusVerified || len(problems) == 0 {
		return nil
	}
	e := apperr.Conflict("approval_preconditions", "the line arrives VERIFIED but approval needs: %s (import with --trust-status to keep legacy statuses)",
		strings.Join(Messages(problems), " "))
	e.Extra = map[string]any{"unmet": Messages(problems), "problems": problems}
	return e
}

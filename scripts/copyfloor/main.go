// Command copyfloor loads pre-made import rows into a migrated database the
// way `verity import` writes its batches, over k connections at once, and
// prints the wall time: the database's parallel floor for an import, with
// none of verity's parsing or checks (scripts/bench-copy-floor.sh with
// FLOOR_PARALLEL runs it and reads PostgreSQL's CPU time around it).
//
// DIR holds the rows an import stored, as COPY text ordered by customer:
// customers (copyCustomerColumns), customer_search_grams (customer_id,
// grams), associates (copyAssociateColumns) and audit_entries (audit.Columns).
// They are cut into batches of -batch customers, every batch's COPY text is
// made before the clock starts, and each batch is one transaction with the
// statements internal/customer's copyAll sends, in its order: the bulk
// settings, the id reservation, COPY customers, COPY grams, the counters'
// INSERT, COPY associates, COPY audit entries, the webhook subscription
// probe, COMMIT.
//
//	go run ./scripts/copyfloor -dsn "host=… dbname=verity" -dir ROWS -k 3
package main

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// The column lists internal/customer's copyAll writes (import_copy.go).
var (
	customerCols  = "id, reference, status, type, risk_score, name, description, tax_residence_country_code, registration_number, address_line1, address_line2, city, postal_code, country_code, verification_url, verification_status, version, last_editor, search_text, created_at, updated_at, website, status_since"
	associateCols = "customer_id, reference, position, first_name, last_name, date_of_birth, has_address, address_line1, address_line2, city, postal_code, country_code, birth_country_code, email, phone, document_number, document_type, document_country_code, tax_number, tax_country_code, title, risk_score, has_ownership, has_control, is_signer, verification_url, verification_status"
	auditCols     = "actor_type, actor_id, actor_name, action, customer_id, subject, changes_json, reason, request_id"
)

// The statements copyAll sends besides its COPYs (import_copy.go,
// import_grams.go, internal/webhook's EmitAll with no subscriber).
const (
	settingsSQL   = `SET LOCAL verity.bulk = 'on'; SET LOCAL default_toast_compression = lz4`
	reserveSQL    = `SELECT nextval(pg_get_serial_sequence('customers', 'id')) FROM generate_series(1, $1)`
	countsSQL     = `INSERT INTO customer_counts (status, risk_score, n) SELECT * FROM unnest($1::customer_status[], $2::risk_score[], $3::bigint[])`
	subscribedSQL = `SELECT EXISTS (SELECT id FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL AND events @> ARRAY[$1::text])`
)

// chunk is about how much COPY text one CopyData call hands over, as the import.
const chunk = 256 << 10

type copyPart struct {
	table string
	cols  string
	text  []string // pieces of whole rows, each without its last newline
}

type batch struct {
	n               int
	copies          []copyPart // customers, grams, then associates and audit (after the counters)
	statuses, risks []string
	counts          []int64
}

func main() {
	dsn := flag.String("dsn", "", "PostgreSQL connection string")
	dir := flag.String("dir", "", "directory of the rows (COPY text)")
	k := flag.Int("k", 3, "concurrent batches (connections)")
	size := flag.Int("batch", 2000, "customers per batch")
	flag.Parse()
	if err := run(*dsn, *dir, *k, *size); err != nil {
		fmt.Fprintln(os.Stderr, "copyfloor:", err)
		os.Exit(1)
	}
}

func run(dsn, dir string, k, size int) error {
	batches, err := load(dir, size)
	if err != nil {
		return err
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(k)
	db.SetMaxIdleConns(k)
	ctx := context.Background()
	// Open the k connections before the clock starts.
	conns := make([]*sql.Conn, k)
	for i := range conns {
		if conns[i], err = db.Conn(ctx); err != nil {
			return err
		}
	}
	t0, ticksOK := backendTicks(ctx, conns)
	ru0 := rusage()
	start := time.Now()
	work := make(chan *batch)
	errc := make(chan error, k)
	var wg sync.WaitGroup
	for i := 0; i < k; i++ {
		wg.Add(1)
		go func(c *sql.Conn) {
			defer wg.Done()
			for b := range work {
				if err := write(ctx, c, b); err != nil {
					errc <- err
					return
				}
			}
		}(conns[i])
	}
	lines := 0
	for _, b := range batches {
		select {
		case work <- b:
			lines += b.n
		case err := <-errc:
			close(work)
			return err
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	wall := time.Since(start)
	cpu := rusage() - ru0
	own := ""
	if t1, ok := backendTicks(ctx, conns); ok && ticksOK {
		own = fmt.Sprintf(", the k backends' own CPU %.0f µs per line", (t1-t0).Seconds()*1e6/float64(lines))
	}
	fmt.Printf("copyfloor: k=%d batch=%d: %d lines in %d batches, wall %.2f s, driver CPU %.0f µs per line%s\n",
		k, size, lines, len(batches), wall.Seconds(), cpu.Seconds()*1e6/float64(lines), own)
	return nil
}

// write runs one batch's transaction on c.
func write(ctx context.Context, c *sql.Conn, b *batch) error {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	if _, err := tx.ExecContext(ctx, settingsSQL); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, reserveSQL, b.n)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	rows.Close()
	for i, p := range b.copies {
		if i == 2 {
			if _, err := tx.ExecContext(ctx, countsSQL, pq.Array(b.statuses), pq.Array(b.risks), pq.Array(b.counts)); err != nil {
				return err
			}
		}
		if err := copyIn(ctx, c, p); err != nil {
			return err
		}
	}
	var subscribed bool
	if err := tx.QueryRowContext(ctx, subscribedSQL, "platform:accounts:customer:created").Scan(&subscribed); err != nil {
		return err
	}
	return tx.Commit()
}

type pqCopy interface {
	CopyData(ctx context.Context, line string) (driver.Result, error)
	Exec(v []driver.Value) (driver.Result, error)
}

// copyIn runs one COPY … FROM STDIN of p's text, as the import's copyText.
func copyIn(ctx context.Context, c *sql.Conn, p copyPart) error {
	if len(p.text) == 0 {
		return nil
	}
	return c.Raw(func(dc any) error {
		st, err := dc.(driver.Conn).Prepare("COPY " + p.table + " (" + p.cols + ") FROM STDIN")
		if err != nil {
			return err
		}
		defer st.Close()
		cd, ok := st.(pqCopy)
		if !ok {
			return errors.New("the driver cannot copy text")
		}
		for _, t := range p.text {
			if _, err := cd.CopyData(ctx, t); err != nil {
				return fmt.Errorf("copy %s: %w", p.table, err)
			}
		}
		_, err = cd.Exec(nil)
		return err
	})
}

// load reads the four files and cuts them into batches.
func load(dir string, size int) ([]*batch, error) {
	read := func(name string) ([][]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")), nil
	}
	cust, err := read("customers")
	if err != nil {
		return nil, err
	}
	rest := map[string][][]byte{}
	for _, f := range []string{"customer_search_grams", "associates", "audit_entries"} {
		if rest[f], err = read(f); err != nil {
			return nil, err
		}
	}
	// field answers the i-th tab-separated field of a row.
	field := func(row []byte, i int) string {
		for ; i > 0; i-- {
			row = row[bytes.IndexByte(row, '\t')+1:]
		}
		if j := bytes.IndexByte(row, '\t'); j >= 0 {
			row = row[:j]
		}
		return string(row)
	}
	pos := map[string]int{} // how far each file has been cut
	customerField := map[string]int{"customer_search_grams": 0, "associates": 0, "audit_entries": 4}
	var out []*batch
	for lo := 0; lo < len(cust); lo += size {
		rows := cust[lo:min(lo+size, len(cust))]
		ids := map[string]bool{}
		b := &batch{n: len(rows)}
		type key struct{ s, r string }
		counts := map[key]int64{}
		var order []key
		for _, r := range rows {
			ids[field(r, 0)] = true
			kk := key{field(r, 2), field(r, 4)}
			if counts[kk] == 0 {
				order = append(order, kk)
			}
			counts[kk]++
		}
		for _, kk := range order {
			b.statuses, b.risks, b.counts = append(b.statuses, kk.s), append(b.risks, kk.r), append(b.counts, counts[kk])
		}
		b.copies = append(b.copies, part("customers", customerCols, rows))
		for _, f := range []string{"customer_search_grams", "associates", "audit_entries"} {
			all, i := rest[f], pos[f]
			j := i
			for j < len(all) && ids[field(all[j], customerField[f])] {
				j++
			}
			pos[f] = j
			cols := map[string]string{"customer_search_grams": "customer_id, grams", "associates": associateCols, "audit_entries": auditCols}[f]
			b.copies = append(b.copies, part(f, cols, all[i:j]))
		}
		out = append(out, b)
	}
	for f, all := range rest {
		if pos[f] != len(all) {
			return nil, fmt.Errorf("%s: %d of %d rows belong to no batch (not ordered by customer?)", f, len(all)-pos[f], len(all))
		}
	}
	return out, nil
}

// part joins rows into pieces of about chunk bytes.
func part(table, cols string, rows [][]byte) copyPart {
	p := copyPart{table: table, cols: cols}
	var sb strings.Builder
	for i, r := range rows {
		sb.Write(r)
		if sb.Len() >= chunk || i == len(rows)-1 {
			p.text = append(p.text, sb.String())
			sb.Reset()
			continue
		}
		sb.WriteByte('\n')
	}
	return p
}

// ticksSQL answers the backend's own CPU time in clock ticks (utime + stime).
const ticksSQL = `SELECT (a[12]::bigint + a[13]::bigint) FROM string_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ') a`

// backendTicks answers the CPU time the connections' backends used so far
// (100 clock ticks a second, as Linux reports them); false when the role may
// not read it (pg_read_file needs a superuser or pg_read_server_files).
func backendTicks(ctx context.Context, conns []*sql.Conn) (time.Duration, bool) {
	var sum int64
	for _, c := range conns {
		var t int64
		if err := c.QueryRowContext(ctx, ticksSQL).Scan(&t); err != nil {
			return 0, false
		}
		sum += t
	}
	return time.Duration(sum) * 10 * time.Millisecond, true
}

// rusage answers this process' CPU time so far.
func rusage() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

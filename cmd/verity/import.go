package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/verity-kyb/verity/internal/customer"
)

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	every := fs.Duration("progress-every", 10*time.Second, "interval of the plain progress lines when standard error is not a terminal (0: none)")
	onConflict := fs.String("on-conflict", "fail", "a line whose reference is a stored customer's: fail (refuse it), skip, or update")
	trust := fs.Bool("trust-status", false, "keep each line's status as it is, without the approval preconditions (recorded in the audit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	policy, err := customer.ParseOnConflict(*onConflict)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: verity import [flags] FILE.jsonl (- for standard input)")
	}
	var in io.Reader = os.Stdin
	var size int64
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		in = f
	}
	tuneBulkGC()
	stopProfile := blockProfile(os.Getenv("IMPORT_BLOCKPROFILE"))
	a, err := openApp(ctx, os.Stderr)
	if err != nil {
		return err
	}
	defer a.close()
	cr := &countingReader{r: in}
	p := &progress{out: stderr, tty: isTerminal(stderr), size: size, read: &cr.n, start: time.Now()}
	stop := p.run(*every)
	res, err := a.customers.ImportWith(ctx, cliActor(), bufio.NewReaderSize(cr, 1<<20),
		customer.ImportOptions{Lines: func(n int) { p.lines.Store(int64(n)) }, OnConflict: policy, TrustStatus: *trust,
			Bulk: size >= bulkImportBytes},
		func(le customer.LineError) {
			stop()
			fmt.Fprintln(stderr, le.Error())
		})
	stop()
	fmt.Fprintln(stdout, summary(res))
	if err == nil {
		err = customer.CompactCounts(ctx, a.db)
	}
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err == nil && res.Failed > 0 {
		return fmt.Errorf("%s lines were not imported (see above)", thousands(res.Failed))
	}
	return err
}

// summary is the closing line of an import: "12,000 imported, 3 refused,
// 1 skipped" (and ", 2 updated" when any were).
func summary(r customer.ImportResult) string {
	out := fmt.Sprintf("%s imported, %s refused, %s skipped", thousands(r.Imported), thousands(r.Failed), thousands(r.Skipped))
	if r.Updated > 0 {
		out += ", " + thousands(r.Updated) + " updated"
	}
	return out
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// isTerminal says whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// countingReader counts the bytes read through it, for the progress ETA.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// bulkImportBytes is the file size from which an import is a bulk one
// (customer.ImportOptions.Bulk): ~2,000 lines of typical customers. Below
// it, the moment's ACCESS EXCLUSIVE lock on the search indexes that long
// pending lists take is not worth it. Standard input, of unknown size, is
// not.
const bulkImportBytes = 4 << 20

// tuneBulkGC trades memory for CPU in import and seed, whose garbage is
// every parsed line: collecting at 4x growth instead of 2x took about a
// fifth off the import's Go time, and the soft limit (256 MiB) keeps the heap
// from growing further. GOGC and GOMEMLIMIT in the environment win.
func tuneBulkGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(256 << 20)
	}
}

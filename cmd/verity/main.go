// Command verity is the one binary of Verity: the web admin and JSON API
// (serve), migrations, staff accounts, API keys, demo data and imports.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "verity:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  verity serve                         run the web admin and JSON API
  verity migrate                       apply database migrations
  verity user create --email E --name N --role viewer|officer|admin --password-stdin
  verity apikey create --name N --role viewer|officer|admin [--owner EMAIL] [--expires 90d]
                                       (prints the key alone; without --owner the key is
                                       a service principal of its own)
  verity seed --demo [--customers N]   demo staff and N realistic customers (private
                                       development database only: no DATABASE_URL)
  verity seed --customers-only [--customers N]   N demo customers, no staff (any database)
  verity import [--on-conflict fail|skip|update] [--trust-status] [--progress-every 10s] FILE.jsonl
                                       customers in the full JSON shape, one per line
                                       (see docs/import.md)

configuration comes from the environment: DATABASE_URL, DATABASE_READ_URL, ADDR, SESSION_SECRET,
FOUR_EYES, VERIFY_BASE_URL, LOG_LEVEL, VERITY_ENV, DATA_DIR, REVIEW_SLA,
NEXT_CASE_HIGH_RISK_FIRST, WEBHOOK_ALLOW_PRIVATE, WEBHOOK_WORKER (see README.md)`

// run dispatches a command; main only wires the process to it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("a command is required\n%s", usage)
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, stdout)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			return fmt.Errorf("usage: verity user create --email E --name N --role R --password-stdin")
		}
		return cmdUserCreate(ctx, args[2:], stdin, stdout)
	case "apikey":
		if len(args) < 2 || args[1] != "create" {
			return fmt.Errorf("usage: verity apikey create --name N --role R [--owner EMAIL] [--expires 90d]")
		}
		return cmdAPIKeyCreate(ctx, args[2:], stdout)
	case "seed":
		return cmdSeed(ctx, args[1:], stdout)
	case "import":
		return cmdImport(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

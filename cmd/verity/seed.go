package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/seed"
)

// seedFlag is an optional int64 flag that knows whether it was given.
type seedFlag struct {
	set   bool
	value int64
}

func (s *seedFlag) String() string {
	if !s.set {
		return ""
	}
	return strconv.FormatInt(s.value, 10)
}

func (s *seedFlag) Set(v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return errors.New("must be a whole number")
	}
	s.set, s.value = true, n
	return nil
}

// cmdSeed creates the demo staff accounts that are missing and imports
// generated customers; the generator streams into the import, so even
// millions of customers keep memory flat. Demo staff have published
// passwords, so --demo works only on the private development database (no
// DATABASE_URL, VERITY_ENV=development); --customers-only adds customers
// alone, on any database.
func cmdSeed(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "create demo staff accounts and demo customers (private development database only)")
	customersOnly := fs.Bool("customers-only", false, "create demo customers only, no staff accounts (any database)")
	n := fs.Int("customers", seed.DefaultDemoCustomers,
		fmt.Sprintf("how many customers to generate (1..%d)", seed.MaxDemoCustomers))
	var s seedFlag
	fs.Var(&s, "seed", "random `number` for reproducible data (default: a new one each run)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("seed takes no arguments, got %q", fs.Args())
	}
	if !*demo && !*customersOnly {
		return errors.New("--demo or --customers-only is required: --demo creates demo accounts with published passwords " +
			"(private development database only), so say so explicitly (verity seed --demo|--customers-only [--customers N] [--seed S])")
	}
	if *n < 1 || *n > seed.MaxDemoCustomers {
		return fmt.Errorf("--customers must be between 1 and %d", seed.MaxDemoCustomers)
	}
	if !s.set {
		s.value = time.Now().UnixNano()
	}
	cfg, err := config.Load(nil)
	if err != nil {
		return err
	}
	target := seed.Target{Private: cfg.DatabaseURL == "", Env: cfg.Env}
	staff := !*customersOnly
	if staff {
		// Refused before connecting: nothing is written anywhere.
		if err := target.AllowsDemoStaff(); err != nil {
			return err
		}
	}
	tuneBulkGC()
	a, err := openApp(ctx, os.Stderr)
	if err != nil {
		return err
	}
	defer a.close()
	start := time.Now()
	var imported int
	if staff {
		imported, err = seed.DemoWithSeed(ctx, a.db, a.customers, a.auth, target, *n, s.value)
		if err == nil {
			_, err = seed.DemoDocuments(ctx, a.db, a.customers, a.documents)
		}
	} else {
		imported, err = seed.CustomersWithSeed(ctx, a.customers, *n, s.value)
	}
	if err != nil {
		return err
	}
	if err := customer.CompactCounts(ctx, a.db); err != nil {
		return fmt.Errorf("compact customer counts: %w", err)
	}
	fmt.Fprintf(stdout, "seeded %d customers (seed %d) in %s\n", imported, s.value, time.Since(start).Round(time.Millisecond))
	if !staff {
		return nil
	}
	creds, err := seed.AvailableCredentials(ctx, a.db)
	if err != nil {
		return err
	}
	for _, c := range creds {
		fmt.Fprintf(stdout, "demo sign-in %-8s %s / %s\n", c.Role, c.Email, c.Password)
	}
	return nil
}

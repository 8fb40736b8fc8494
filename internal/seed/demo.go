package seed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/customer"
)

// DefaultDemoCustomers is how many customers a demo seeding adds: enough to
// fill the queues and pages without making a first start slow.
const DefaultDemoCustomers = 40

// MaxDemoCustomers bounds one `verity seed --demo` run.
const MaxDemoCustomers = 5_000_000

// firstStartSeed makes every fresh installation show the same demo customers,
// so screenshots and walkthroughs match what a developer sees.
const firstStartSeed = 2026

// Credential is a development sign-in printed by `serve` and `seed --demo`;
// the passwords are public, so these accounts belong in development only.
type Credential struct{ Role, Email, Password string }

// demoAccount is a demo sign-in with the name the staff list shows.
type demoAccount struct {
	Credential
	name string
}

var demoAccounts = []demoAccount{
	{Credential{string(access.RoleOfficer), "officer@verity.test", "officer-demo-2026"}, "Olivia Officer"},
	{Credential{string(access.RoleAdmin), "admin@verity.test", "admin-demo-2026"}, "Ada Admin"},
	{Credential{string(access.RoleAdmin), "admin2@verity.test", "admin2-demo-2026"}, "Grace Second-Admin"},
	{Credential{string(access.RoleViewer), "viewer@verity.test", "viewer-demo-2026"}, "Victor Viewer"},
}

// DemoCredentials returns the fixed development sign-ins: an officer, an
// admin, a second admin for the four-eyes rule, and a viewer.
func DemoCredentials() []Credential {
	out := make([]Credential, len(demoAccounts))
	for i, a := range demoAccounts {
		out[i] = a.Credential
	}
	return out
}

// Target is the database a seeding writes to, as far as demo staff care.
type Target struct {
	Private bool   // the private PostgreSQL that verity starts under DATA_DIR (no DATABASE_URL)
	Env     string // VERITY_ENV
}

// ErrDemoStaffRefused keeps the published demo passwords out of every
// database but the private development one.
var ErrDemoStaffRefused = errors.New("demo staff accounts have published passwords, so they are created only in " +
	"the private development database (no DATABASE_URL, VERITY_ENV=development); " +
	"for demo customers alone use verity seed --customers-only")

// AllowsDemoStaff says whether demo staff accounts may be created in t:
// only in the private development database, never through DATABASE_URL.
func (t Target) AllowsDemoStaff() error {
	if t.Private && t.Env == config.EnvDevelopment {
		return nil
	}
	return ErrDemoStaffRefused
}

// DemoOnce seeds a fresh private development database: when no staff account
// exists yet it creates the demo accounts and imports n generated customers
// (seeded reports that). In every case it returns the demo sign-ins that still
// work, for printing. Any other target is refused before anything is written.
func DemoOnce(ctx context.Context, db *sqlx.DB, customers *customer.Service, users *auth.Service, target Target, n int) (creds []Credential, seeded bool, err error) {
	if err := target.AllowsDemoStaff(); err != nil {
		return nil, false, err
	}
	var staff bool
	if err := db.GetContext(ctx, &staff, `SELECT EXISTS (SELECT 1 FROM staff_users)`); err != nil {
		return nil, false, fmt.Errorf("look for staff accounts: %w", err)
	}
	if !staff {
		created, err := ensureDemoUsers(ctx, db, users)
		if err != nil {
			return nil, false, err
		}
		// Creating the first account is atomic (unique e-mail), so when two
		// processes start at once only the one that created it imports.
		if created[0] {
			if _, err := importGenerated(ctx, nil, customers, n, firstStartSeed); err != nil {
				return nil, false, err
			}
			if err := assignDemoCases(ctx, db, customers); err != nil {
				return nil, false, err
			}
			seeded = true
		}
	}
	creds, err = AvailableCredentials(ctx, db)
	return creds, seeded, err
}

// Demo creates the demo accounts that are missing and imports n more
// generated customers, from a new seed each call; it returns how many were
// imported. Only the private development database takes demo staff.
func Demo(ctx context.Context, db *sqlx.DB, customers *customer.Service, users *auth.Service, target Target, n int) (imported int, err error) {
	return DemoWithSeed(ctx, db, customers, users, target, n, time.Now().UnixNano())
}

// DemoWithSeed is Demo with a chosen seed, for reproducible data sets. The
// references come from the seed too, so the same seed imports only once.
func DemoWithSeed(ctx context.Context, db *sqlx.DB, customers *customer.Service, users *auth.Service, target Target, n int, seed int64) (imported int, err error) {
	if err := target.AllowsDemoStaff(); err != nil {
		return 0, err
	}
	if n < 1 || n > MaxDemoCustomers {
		return 0, fmt.Errorf("the number of customers must be between 1 and %d", MaxDemoCustomers)
	}
	if _, err := ensureDemoUsers(ctx, db, users); err != nil {
		return 0, err
	}
	if imported, err = importGenerated(ctx, db, customers, n, seed); err != nil {
		return imported, err
	}
	return imported, assignDemoCases(ctx, db, customers)
}

// CustomersWithSeed imports n generated customers and nothing else: no staff
// accounts, so no published passwords. Any database may take them.
func CustomersWithSeed(ctx context.Context, customers *customer.Service, n int, seed int64) (imported int, err error) {
	if n < 1 || n > MaxDemoCustomers {
		return 0, fmt.Errorf("the number of customers must be between 1 and %d", MaxDemoCustomers)
	}
	return importGenerated(ctx, nil, customers, n, seed)
}

// AvailableCredentials lists the demo sign-ins whose accounts exist and are
// active, with the role each account has now.
func AvailableCredentials(ctx context.Context, db sqlx.QueryerContext) ([]Credential, error) {
	const q = `SELECT lower(email) AS email, role FROM staff_users WHERE lower(email) = ANY($1) AND active`
	emails := make([]string, len(demoAccounts))
	for i, a := range demoAccounts {
		emails[i] = a.Email
	}
	var rows []struct {
		Email string `db:"email"`
		Role  string `db:"role"`
	}
	if err := sqlx.SelectContext(ctx, db, &rows, q, pq.Array(emails)); err != nil {
		return nil, fmt.Errorf("look up demo accounts: %w", err)
	}
	roles := make(map[string]string, len(rows))
	for _, r := range rows {
		roles[r.Email] = r.Role
	}
	var out []Credential
	for _, a := range demoAccounts {
		if role, ok := roles[a.Email]; ok {
			out = append(out, Credential{Role: role, Email: a.Email, Password: a.Password})
		}
	}
	return out, nil
}

// ensureDemoUsers creates each demo account that does not exist yet (active
// or not) and reports, per account, whether this call created it.
func ensureDemoUsers(ctx context.Context, db sqlx.QueryerContext, users *auth.Service) ([]bool, error) {
	var existing []string
	if err := sqlx.SelectContext(ctx, db, &existing, `SELECT lower(email) FROM staff_users`); err != nil {
		return nil, fmt.Errorf("look up staff accounts: %w", err)
	}
	have := make(map[string]bool, len(existing))
	for _, e := range existing {
		have[e] = true
	}
	created := make([]bool, len(demoAccounts))
	actor := access.System("seed-demo-users")
	for i, a := range demoAccounts {
		if have[a.Email] {
			continue
		}
		role, _ := access.ParseRole(a.Role)
		_, err := users.CreateUser(ctx, actor, auth.NewUser{Email: a.Email, Name: a.name, Role: role, Password: a.Password})
		if err == nil {
			created[i] = true
			continue
		}
		// Another process may have created it meanwhile; then it is there.
		var there bool
		if qerr := sqlx.GetContext(ctx, db, &there, `SELECT EXISTS (SELECT 1 FROM staff_users WHERE lower(email) = $1)`, a.Email); qerr != nil || !there {
			return nil, fmt.Errorf("create demo account %s: %w", a.Email, err)
		}
	}
	return created, nil
}

// importGenerated hands n generated customers to the customer service's
// import as records (no JSON text in between), so the audit trail shows a
// system import and memory stays flat however large n is: the generator
// runs on the import's reading goroutine, a batch ahead of the writers.
// With db (the private demo database, whose staff seed creates), a seed
// into an empty database builds its search indexes after the load
// (deferIndexes); without, every index stays live, as for any import.
func importGenerated(ctx context.Context, db *sqlx.DB, customers *customer.Service, n int, seed int64) (_ int, err error) {
	next, err := Records(seed, n)
	if err != nil {
		return 0, fmt.Errorf("generate customers: %w", err)
	}
	var refused []string
	// Generated VERIFIED customers are approvable but have no documents: with
	// the evidence rule on, their made-up statuses are imported as trusted
	// (and the audit says so).
	opts := customer.ImportOptions{TrustStatus: customers.RequiresEvidence()}
	if db != nil {
		if _, err := deferIndexes(ctx, db, n); err != nil {
			return 0, fmt.Errorf("defer search indexes: %w", err)
		}
		opts.Loaded = func(ctx context.Context) error { return buildIndexes(ctx, db) }
		defer func() { // also after a failure or an interrupt: never leave them missing
			if berr := buildIndexes(context.WithoutCancel(ctx), db); berr != nil && err == nil {
				err = fmt.Errorf("build search indexes: %w", berr)
			}
		}()
	}
	res, err := customers.ImportRecords(ctx, access.System(fmt.Sprintf("seed-demo-%d", seed)), next, opts, func(le customer.LineError) {
		if len(refused) < 3 {
			refused = append(refused, le.Error())
		}
	})
	switch {
	case err != nil:
		return res.Imported, fmt.Errorf("import generated customers: %w", err)
	case res.Failed > 0:
		return res.Imported, fmt.Errorf("%d generated customers were refused (was seed %d imported before?): %s",
			res.Failed, seed, strings.Join(refused, "; "))
	}
	return res.Imported, nil
}

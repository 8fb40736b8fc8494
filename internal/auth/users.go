// Package auth owns staff accounts, sign-in, server-side sessions and API keys:
// every check, transaction and audit entry about who may act, for pages, API
// and command line alike. Roles and the Actor itself live in package access.
package auth

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/internal/validate"
)

// User is a staff account as the rest of the app sees it; the password hash
// never leaves this package.
type User struct {
	ID    int64       `db:"id"`
	Email string      `db:"email"`
	Name  string      `db:"name"`
	Role  access.Role `db:"role"`
	// Active is false for a deactivated account, which can no longer sign in.
	Active bool `db:"active"`
	// SessionVersion is stored in the session cookie; a session carrying an
	// older value is void (see SessionUser).
	SessionVersion int        `db:"session_version"`
	CreatedAt      time.Time  `db:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at"`
	LastLoginAt    *time.Time `db:"last_login_at"`
}

// Actor is the user acting in one request, so role checks and the audit
// trail see the account's current role and name.
func (u *User) Actor(requestID string) access.Actor {
	return access.Actor{Kind: access.ActorUser, ID: u.ID, Name: u.Name, Role: u.Role, RequestID: requestID}
}

// NewUser is what an admin (or the CLI) fills in to create an account.
type NewUser struct {
	Email    string
	Name     string
	Role     access.Role
	Password string
}

// Options configure a Service; the zero value is fine for production.
type Options struct {
	Now func() time.Time // the clock; time.Now when nil (tests move it)
	Log *slog.Logger     // for background failures (API-key last-used writes); slog.Default when nil
	// HashSlots bounds the password hashes running at once; GOMAXPROCS when 0.
	HashSlots int
	// HashWait is how long a sign-in waits for a hashing slot before it is
	// answered 503; 2 s when 0.
	HashWait time.Duration
}

// Service owns staff accounts, sign-in and API keys: every check, transaction
// and audit entry about who may act lives here, for pages, API and CLI alike.
type Service struct {
	db       *sqlx.DB
	now      func() time.Time
	log      *slog.Logger
	throttle *throttle
	hasher   *hasher
	keys     *keyCache
	flushes  sync.WaitGroup // in-flight last_used_at writes, for tests
	// sessionsPruned is when this process last deleted old sessions (unix s).
	sessionsPruned atomic.Int64
	sessionQuery   preparedSessionQuery
}

// NewService wires the service to its database; one per process, since the
// hashing bound and the API-key cache live in it (the sign-in throttle and
// the sessions live in the database, shared by every process).
func NewService(db *sqlx.DB, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Service{
		db:       db,
		now:      opts.Now,
		log:      opts.Log,
		throttle: newThrottle(db),
		hasher:   newHasher(opts.HashSlots, opts.HashWait),
		keys:     newKeyCache(),
	}
}

// requireAdmin refuses anyone without PermAdministrate (System holds it).
func requireAdmin(a access.Actor, what string) error {
	if !a.Role.Can(access.PermAdministrate) {
		if a.Role == "" {
			return apperr.Forbidden("you may not %s", what)
		}
		return apperr.Forbidden("your role (%s) may not %s", a.Role, what)
	}
	return nil
}

const msgRole = "must be viewer, officer or admin"

// CreateUser adds a staff account; only an admin (or the CLI's System actor) may.
func (s *Service) CreateUser(ctx context.Context, a access.Actor, in NewUser) (*User, error) {
	if err := requireAdmin(a, "create staff accounts"); err != nil {
		return nil, err
	}
	email, name := strings.TrimSpace(in.Email), strings.TrimSpace(in.Name)
	fe := apperr.FieldErrors{}
	if msg := validate.Email(email); msg != "" {
		fe.Add("email", msg)
	}
	if msg := validate.Text(name, validate.MaxName, true); msg != "" {
		fe.Add("name", msg)
	}
	if _, ok := access.ParseRole(string(in.Role)); !ok {
		fe.Add("role", msgRole)
	}
	if msg := passwordProblem(in.Password); msg != "" {
		fe.Add("password", msg)
	}
	if err := apperr.Invalid(fe); err != nil {
		return nil, err
	}
	hash, err := s.hasher.hash(ctx, in.Password) // before the transaction: it takes tens of ms
	if err != nil {
		return nil, err
	}
	var u *User
	err = postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if u, err = insertUser(ctx, tx, email, name, in.Role, hash, s.now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Record{Actor: a, Action: audit.ActionUserCreate, Subject: u.Email, Changes: []audit.Change{
			{Path: "email", New: u.Email}, {Path: "name", New: u.Name}, {Path: "role", New: u.Role}, {Path: "active", New: u.Active},
		}})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ListUsers returns every staff account for the admin page, active ones first.
func (s *Service) ListUsers(ctx context.Context, a access.Actor) ([]User, error) {
	if err := requireAdmin(a, "manage staff accounts"); err != nil {
		return nil, err
	}
	return listUsers(ctx, s.db)
}

// GetUser loads one account by id (NotFound when there is none); callers
// that show it to someone check their permission first.
func (s *Service) GetUser(ctx context.Context, id int64) (*User, error) {
	u, err := getUser(ctx, s.db, id, false)
	if err != nil {
		return nil, err
	}
	return &u.User, nil
}

// SetRole changes another account's role and ends its sessions, so the new
// role applies from the very next request.
func (s *Service) SetRole(ctx context.Context, a access.Actor, userID int64, role access.Role) (*User, error) {
	if err := requireAdmin(a, "manage staff accounts"); err != nil {
		return nil, err
	}
	if _, ok := access.ParseRole(string(role)); !ok {
		return nil, apperr.Invalid(apperr.FieldErrors{"role": {msgRole}})
	}
	return s.changeAccess(ctx, a, userID, EndRoleChanged, func(u *User) audit.Change {
		return audit.Change{Path: "role", Old: u.Role, New: role}
	}, func(u *User) { u.Role = role })
}

// SetActive deactivates (or reactivates) another account; a deactivated user
// is signed out at their next request.
func (s *Service) SetActive(ctx context.Context, a access.Actor, userID int64, active bool) (*User, error) {
	return s.changeAccess(ctx, a, userID, EndDeactivated, func(u *User) audit.Change {
		return audit.Change{Path: "active", Old: u.Active, New: active}
	}, func(u *User) { u.Active = active })
}

// changeAccess is SetRole's and SetActive's shared path: admin only, never on
// oneself, a no-op (no audit entry, sessions kept) when nothing changes;
// otherwise every session of the account ends, for the reason why.
func (s *Service) changeAccess(ctx context.Context, a access.Actor, userID int64, why string, diff func(*User) audit.Change, apply func(*User)) (*User, error) {
	if err := requireAdmin(a, "manage staff accounts"); err != nil {
		return nil, err
	}
	if a.Kind == access.ActorUser && a.ID == userID {
		return nil, apperr.Conflict("self_change", "you cannot change your own role or deactivate yourself")
	}
	var out *User
	err := postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		cur, err := getUser(ctx, tx, userID, true)
		if err != nil {
			return err
		}
		ch := diff(&cur.User)
		if ch.Old == ch.New {
			out = &cur.User
			return nil
		}
		next := cur.User
		apply(&next)
		if out, err = updateAccess(ctx, tx, userID, next.Role, next.Active, s.now()); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Record{Actor: a, Action: audit.ActionUserUpdate, Subject: out.Email, Changes: []audit.Change{ch}}); err != nil {
			return err
		}
		return endSessionsFor(ctx, tx, a, out, nil, why, s.now())
	})
	s.keys.dropOwner(userID) // the user's API keys follow a new role or a deactivation at once
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PasswordChange is a signed-in user's request to replace their password.
type PasswordChange struct {
	Current, Next string
	// Session is the token of the session asking: it stays signed in while
	// every other session of the user ends.
	Session string
	// IP is the request's address: guessing the current password from a
	// stolen session is throttled like signing in.
	IP string
}

// ChangePassword lets a signed-in user replace their own password. The
// asking session goes on; every other session of the user ends.
func (s *Service) ChangePassword(ctx context.Context, a access.Actor, in PasswordChange) error {
	if a.Kind != access.ActorUser {
		return apperr.Forbidden("only a signed-in staff user can change their own password")
	}
	fe := apperr.FieldErrors{}
	if in.Current == "" {
		fe.Add("currentPassword", "is required")
	}
	if msg := passwordProblem(in.Next); msg != "" {
		fe.Add("newPassword", msg)
	} else if in.Next == in.Current {
		fe.Add("newPassword", "must differ from the current password")
	}
	if err := apperr.Invalid(fe); err != nil {
		return err
	}
	u, err := getUser(ctx, s.db, a.ID, false)
	if err != nil {
		return err
	}
	if !u.Active {
		return sessionEnded(EndDeactivated)
	}
	charge, err := s.throttle.admit(ctx, s.now(), u.Email, in.IP)
	if err != nil {
		return err
	}
	wrong := apperr.Invalid(apperr.FieldErrors{"currentPassword": {"is wrong"}})
	if passwordTooLong(in.Current) {
		return wrong // charged, never hashed
	}
	match, busy, err := s.hasher.verify(ctx, u.PasswordHash, in.Current)
	if busy != nil {
		_ = s.throttle.forgive(ctx, charge)
		return busy
	}
	if err != nil || !match {
		return wrong
	}
	if err := s.throttle.forgive(ctx, charge); err != nil {
		return err
	}
	hash, err := s.hasher.hash(ctx, in.Next)
	if err != nil {
		return err
	}
	return postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		cur, err := getUser(ctx, tx, a.ID, true)
		if err != nil {
			return err
		}
		if cur.PasswordHash != u.PasswordHash { // changed meanwhile: verified against an old one
			return wrong
		}
		version, err := updatePassword(ctx, tx, u.ID, hash, s.now())
		if err != nil {
			return err
		}
		keep := sessionID(in.Session)
		if err := setSessionVersion(ctx, tx, keep, version); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Record{Actor: a, Action: audit.ActionUserPassword, Subject: u.Email}); err != nil {
			return err
		}
		return endSessionsFor(ctx, tx, a, &cur.User, keep, EndPassword, s.now())
	})
}

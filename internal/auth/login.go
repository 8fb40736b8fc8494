package auth

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/internal/validate"
)

// Sentinels for errors.Is; each matches every error of its kind and code.
var (
	// ErrBadCredentials is the one answer to a failed sign-in, whether the
	// e-mail is unknown, the password wrong or the account deactivated, so the
	// answer does not tell which accounts exist.
	ErrBadCredentials = &apperr.Error{Kind: apperr.KindUnauthorized, Code: "bad_credentials"}
	// ErrTooManyAttempts is a sign-in refused by the throttle.
	ErrTooManyAttempts = &apperr.Error{Kind: apperr.KindUnauthorized, Code: "too_many_attempts"}
	// ErrSessionEnded is a session that is no longer valid: the account was
	// deactivated, its role or password changed, or it no longer exists.
	ErrSessionEnded = &apperr.Error{Kind: apperr.KindUnauthorized, Code: "session_expired"}
)

func badCredentials() error {
	return apperr.New(apperr.KindUnauthorized, "bad_credentials", "e-mail or password is wrong")
}

func sessionEnded() error {
	return apperr.New(apperr.KindUnauthorized, "session_expired", "your session has ended; please sign in again")
}

// tooManyAttempts says how long to wait, in whole minutes rounded up.
func tooManyAttempts(wait time.Duration) error {
	m := int(math.Ceil(wait.Minutes()))
	unit := "minutes"
	if m <= 1 {
		m, unit = 1, "minute"
	}
	return apperr.New(apperr.KindUnauthorized, "too_many_attempts",
		"too many failed sign-ins; please wait %d %s and try again", m, unit)
}

// Authenticate signs a staff user in by e-mail and password. ip and requestID
// go into the throttle and the audit trail. Every failure costs one argon2
// verification (against a dummy hash for unknown e-mails), is charged to both
// the account and the IP address, and is written to the audit trail.
func (s *Service) Authenticate(ctx context.Context, email, password, ip, requestID string) (*User, error) {
	email = strings.TrimSpace(email)
	keys := []string{accountKey(email)}
	if ip != "" {
		keys = append(keys, ipKey(ip))
	}
	at, wait, ok := s.throttle.admit(s.now(), keys...)
	if !ok {
		// Not audited: a refusal here costs no hashing, and writing a row for
		// each one would let a flood of attempts grow the trail unchecked.
		return nil, tooManyAttempts(wait)
	}

	row, why, err := s.checkCredentials(ctx, email, password)
	if err != nil {
		s.throttle.forgive(at, keys...) // our failure, not the caller's
		return nil, err
	}
	if row == nil {
		tried := Actor{Kind: ActorAnonymous, Name: clip(email, validate.MaxEmail), RequestID: requestID}
		if err := writeAudit(ctx, s.db, auditEntry{actor: tried, action: actionLoginFailed, subject: ip, reason: why}); err != nil {
			return nil, fmt.Errorf("audit failed sign-in: %w", err)
		}
		return nil, badCredentials()
	}

	var rehash *string
	if NeedsRehash(row.PasswordHash) {
		if h, err := HashPassword(password); err == nil {
			rehash = &h
		}
	}
	u := row.User
	err = postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		last, err := recordLogin(ctx, tx, u.ID, s.now(), rehash)
		if err != nil {
			return err
		}
		u.LastLoginAt = &last
		return writeAudit(ctx, tx, auditEntry{actor: u.Actor(requestID), action: actionLogin, subject: ip})
	})
	if err != nil {
		s.throttle.forgive(at, keys...)
		return nil, err
	}
	s.throttle.reset(keys[0])
	if len(keys) > 1 {
		s.throttle.forgive(at, keys[1])
	}
	return &u, nil
}

// checkCredentials returns the account when email and password match an
// active one; otherwise nil and, for the audit trail, why not.
func (s *Service) checkCredentials(ctx context.Context, email, password string) (*userRow, string, error) {
	var row *userRow
	if email != "" && len(email) <= 4*validate.MaxEmail { // no account has a longer one
		var err error
		if row, err = getUserByEmail(ctx, s.db, email); err != nil {
			return nil, "", err
		}
	}
	hash := dummyHash()
	if row != nil {
		hash = row.PasswordHash
	}
	match, err := VerifyPassword(hash, password)
	if err != nil && row != nil {
		s.log.Error("unreadable password hash", "user", row.ID, "err", err)
	}
	switch {
	case row == nil:
		return nil, "unknown e-mail", nil
	case !match:
		return nil, "wrong password", nil
	case !row.Active:
		return nil, "account deactivated", nil
	}
	return row, "", nil
}

// clip cuts s to at most n characters, for values stored as given.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// SessionUser is the web layer's check on every request: the account behind a
// session, but only while it is active and its session version matches. One
// primary-key read, no hashing.
func (s *Service) SessionUser(ctx context.Context, userID int64, sessionVersion int) (*User, error) {
	u, err := sessionUser(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	if u == nil || !u.Active || u.SessionVersion != sessionVersion {
		return nil, sessionEnded()
	}
	return u, nil
}

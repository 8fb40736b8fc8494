package auth

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/internal/validate"
)

// Sentinels for errors.Is; each matches every error of its kind and code.
var (
	// ErrBadCredentials is the one answer to a failed sign-in, whether the
	// e-mail is unknown, the password wrong or the account deactivated, so the
	// answer does not tell which accounts exist.
	ErrBadCredentials = &apperr.Error{Kind: apperr.KindUnauthorized, Code: "bad_credentials"}
	// ErrTooManyAttempts is a sign-in refused by the throttle: 429 with Retry-After.
	ErrTooManyAttempts = &apperr.Error{Kind: apperr.KindTooMany, Code: "too_many_attempts"}
	// ErrHasherBusy is a sign-in or password change that found every hashing
	// slot taken for too long: 503 with Retry-After.
	ErrHasherBusy = &apperr.Error{Kind: apperr.KindUnavailable, Code: codeHasherBusy}
	// ErrSessionEnded is a session that is no longer valid: signed out, ended
	// from the account page or by an admin, or its account was deactivated or
	// had its role or password changed.
	ErrSessionEnded = &apperr.Error{Kind: apperr.KindUnauthorized, Code: "session_expired"}
	// ErrSessionIdle is a session that saw no request for SessionIdle.
	ErrSessionIdle = &apperr.Error{Kind: apperr.KindUnauthorized, Code: "session_idle"}
	// ErrSessionTooOld is a session older than SessionMaxAge.
	ErrSessionTooOld = &apperr.Error{Kind: apperr.KindUnauthorized, Code: "session_too_old"}
)

func badCredentials() error {
	return apperr.New(apperr.KindUnauthorized, "bad_credentials", "e-mail or password is wrong")
}

// Authenticate checks an e-mail and password under the sign-in throttle and
// writes the attempt to the audit trail, without starting a session (for
// callers that only need to know who it is; the web admin uses SignIn).
func (s *Service) Authenticate(ctx context.Context, email, password, ip, requestID string) (*User, error) {
	u, _, err := s.login(ctx, email, password, Client{IP: ip}, requestID, false)
	return u, err
}

// SignIn signs a staff user in by e-mail and password and starts a
// server-side session for the browser described by client; the returned
// token goes into the session cookie and nowhere else.
func (s *Service) SignIn(ctx context.Context, email, password string, client Client, requestID string) (*User, string, error) {
	return s.login(ctx, email, password, client, requestID, true)
}

// login is Authenticate and SignIn. Every attempt is charged to the throttle
// when it starts; every failure costs one argon2 verification (against a
// dummy hash for unknown e-mails) unless the password is over-long, and is
// written to the audit trail.
func (s *Service) login(ctx context.Context, email, password string, client Client, requestID string, start bool) (*User, string, error) {
	email = strings.TrimSpace(email)
	charge, err := s.throttle.admit(ctx, s.now(), email, client.IP)
	if err != nil {
		// Not audited: a refusal here costs no hashing, and writing a row for
		// each one would let a flood of attempts grow the trail unchecked.
		return nil, "", err
	}
	row, why, err := s.checkCredentials(ctx, email, password)
	if err != nil {
		if ferr := s.throttle.forgive(ctx, charge); ferr != nil { // our failure, not the caller's
			s.log.Error("forgiving a sign-in attempt", "err", ferr)
		}
		return nil, "", err
	}
	if row == nil {
		tried := access.Actor{Kind: access.ActorAnonymous, Name: clip(email, validate.MaxEmail), RequestID: requestID}
		if err := audit.Write(ctx, s.db, audit.Record{Actor: tried, Action: audit.ActionLoginFailed, Subject: client.IP, Reason: why}); err != nil {
			return nil, "", fmt.Errorf("audit failed sign-in: %w", err)
		}
		return nil, "", badCredentials()
	}

	var rehash *string
	if NeedsRehash(row.PasswordHash) {
		if h, err := s.hasher.hash(ctx, password); err == nil { // a busy hasher just leaves it for next time
			rehash = &h
		}
	}
	u := row.User
	var token string
	err = postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		last, err := recordLogin(ctx, tx, u.ID, s.now(), rehash)
		if err != nil {
			return err
		}
		u.LastLoginAt = &last
		if start {
			if token, err = startSession(ctx, tx, &u, client, s.now()); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Record{Actor: u.Actor(requestID), Action: audit.ActionLogin, Subject: client.IP})
	})
	if err != nil {
		if ferr := s.throttle.forgive(ctx, charge); ferr != nil {
			s.log.Error("forgiving a sign-in attempt", "err", ferr)
		}
		return nil, "", err
	}
	if err := s.throttle.succeeded(ctx, email, client.IP); err != nil {
		s.log.Error("clearing sign-in failures", "err", err)
	}
	s.maybePruneSessions(ctx)
	return &u, token, nil
}

// checkCredentials returns the account when email and password match an
// active one; otherwise nil and, for the audit trail, why not. An over-long
// password is refused before any hashing.
func (s *Service) checkCredentials(ctx context.Context, email, password string) (*userRow, string, error) {
	var row *userRow
	if email != "" && len(email) <= 4*validate.MaxEmail { // no account has a longer one
		var err error
		if row, err = getUserByEmail(ctx, s.db, email); err != nil {
			return nil, "", err
		}
	}
	if passwordTooLong(password) {
		return nil, "password too long", nil
	}
	hash := dummyHash()
	if row != nil {
		hash = row.PasswordHash
	}
	match, busy, err := s.hasher.verify(ctx, hash, password)
	if busy != nil {
		return nil, "", busy
	}
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

package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/postgres"
)

// Session lifetimes, enforced from the server-side record: a session ends
// after SessionIdle without a request and after SessionMaxAge in any case.
const (
	SessionIdle   = 30 * time.Minute
	SessionMaxAge = 12 * time.Hour
	// sessionTouchEvery limits the writes that move the idle clock to one a
	// minute per session; the idle limit is therefore exact to a minute.
	sessionTouchEvery = time.Minute
	// Ended sessions (and open ones unused for this long) are deleted.
	sessionKeep         = 30 * 24 * time.Hour
	sessionPruneEvery   = time.Hour
	maxUserAgent        = 256
	maxSessionIP        = 64
	sessionTokenBytes   = 32
	sessionHandleLength = 2 * sha256.Size
)

// Why a session ended, as stored in staff_sessions.ended_why and told to
// the user at their next request.
const (
	EndSignedOut   = "signed out"
	EndPassword    = "password changed"
	EndDeactivated = "account deactivated"
	EndRoleChanged = "role changed"
	EndEverywhere  = "signed out everywhere by an admin"
	EndByUser      = "ended from another session"
	EndIdle        = "no activity"
	EndTooOld      = "maximum duration reached"
)

// Client describes the browser a session is started from, as the account
// page shows it.
type Client struct {
	IP        string
	UserAgent string
}

// Session is one open session of a user, as the account page lists it. Its
// Handle names it in forms; the token that signs in with it never leaves the
// cookie.
type Session struct {
	Handle     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	UserAgent  string
	IP         string
	Current    bool // the session asking
}

// sessionID is the stored key of a token: its SHA-256, so the table alone
// does not hold anything a browser could present.
func sessionID(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func handleOf(id []byte) string { return hex.EncodeToString(id) }

// parseHandle turns a handle back into a stored id; nil when malformed.
func parseHandle(handle string) []byte {
	if len(handle) != sessionHandleLength {
		return nil
	}
	id, err := hex.DecodeString(handle)
	if err != nil {
		return nil
	}
	return id
}

// startSession opens a session for u in the sign-in transaction and returns
// its token: 256 random bits, for the cookie only.
func startSession(ctx context.Context, tx *sqlx.Tx, u *User, c Client, now time.Time) (string, error) {
	token := rand.Text() + rand.Text() // 2 × 128 bits of base32
	c.UserAgent, c.IP = clip(c.UserAgent, maxUserAgent), clip(c.IP, maxSessionIP)
	if err := insertSession(ctx, tx, sessionID(token), u, c, now); err != nil {
		return "", err
	}
	return token, nil
}

func sessionEnded(why string) error {
	if why == "" {
		return apperr.New(apperr.KindUnauthorized, ErrSessionEnded.Code, "your session has ended; please sign in again")
	}
	return apperr.New(apperr.KindUnauthorized, ErrSessionEnded.Code, "your session has ended (%s); please sign in again", why)
}

// SessionUser is the web layer's check on every request: the account behind
// a session token, but only while the session is open, not idle, not too
// old, and its account active with the session version it started with. One
// primary-key join; a write at most once a minute to move the idle clock.
// An idle or too old session is ended on the way.
func (s *Service) SessionUser(ctx context.Context, token string) (*User, error) {
	if token == "" {
		return nil, sessionEnded("")
	}
	id := sessionID(token)
	r, err := sessionUser(ctx, s.db, s.sessionQuery.get(ctx, s.db), id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch {
	case r == nil:
		return nil, sessionEnded("")
	case r.EndedWhy != nil:
		return nil, sessionEnded(*r.EndedWhy)
	case !r.Active:
		return nil, sessionEnded(EndDeactivated)
	case r.Version != r.SessionVersion: // changed by a binary that does not end sessions itself
		return nil, sessionEnded("your account was changed")
	case now.Sub(r.Created) > SessionMaxAge:
		return nil, s.expire(ctx, id, EndTooOld, ErrSessionTooOld, "your session has ended; please sign in again")
	case now.Sub(r.Seen) > SessionIdle:
		return nil, s.expire(ctx, id, EndIdle, ErrSessionIdle, "you were signed out after 30 minutes without activity; please sign in again")
	}
	if now.Sub(r.Seen) >= sessionTouchEvery {
		if err := touchSession(ctx, s.db, id, now); err != nil {
			return nil, err
		}
	}
	u := r.User
	return &u, nil
}

// expire ends a session that ran out of time and returns the error saying so.
func (s *Service) expire(ctx context.Context, id []byte, why string, kind *apperr.Error, msg string) error {
	if _, err := endSession(ctx, s.db, id, nil, why, s.now()); err != nil {
		return err
	}
	return apperr.New(kind.Kind, kind.Code, "%s", msg)
}

// Logout ends the session of token (the one making the request) and writes
// the sign-out to the audit trail, in one transaction.
func (s *Service) Logout(ctx context.Context, a access.Actor, token string) error {
	return postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := endSession(ctx, tx, sessionID(token), nil, EndSignedOut, s.now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Record{Actor: a, Action: audit.ActionLogout})
	})
}

// requireSelf refuses anyone but a signed-in staff user acting on their own sessions.
func requireSelf(a access.Actor) error {
	if a.Kind != access.ActorUser {
		return apperr.Forbidden("only a signed-in staff user has sessions")
	}
	return nil
}

// ListSessions returns the actor's own open sessions, marking the one of
// current (the token of the asking session).
func (s *Service) ListSessions(ctx context.Context, a access.Actor, current string) ([]Session, error) {
	if err := requireSelf(a); err != nil {
		return nil, err
	}
	list, err := listSessions(ctx, s.db, a.ID, s.now())
	if err != nil {
		return nil, err
	}
	cur := handleOf(sessionID(current))
	for i := range list {
		list[i].Current = list[i].Handle == cur
	}
	return list, nil
}

// EndSession ends one of the actor's own sessions, named by its handle;
// another user's session, or one already over, is not found.
func (s *Service) EndSession(ctx context.Context, a access.Actor, handle string) error {
	if err := requireSelf(a); err != nil {
		return err
	}
	id := parseHandle(handle)
	if id == nil {
		return apperr.NotFound("session")
	}
	return postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		ok, err := endSession(ctx, tx, id, &a.ID, EndByUser, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return apperr.NotFound("session")
		}
		return audit.Write(ctx, tx, sessionsEndedEntry(a, "", EndByUser, 1))
	})
}

// EndOtherSessions ends every session of the actor but current (the token
// of the asking session) and returns how many it ended.
func (s *Service) EndOtherSessions(ctx context.Context, a access.Actor, current string) (int, error) {
	if err := requireSelf(a); err != nil {
		return 0, err
	}
	var n int
	err := postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if n, err = endUserSessions(ctx, tx, a.ID, sessionID(current), EndByUser, s.now()); err != nil || n == 0 {
			return err
		}
		return audit.Write(ctx, tx, sessionsEndedEntry(a, "", EndByUser, n))
	})
	return n, err
}

// EndUserSessions is an admin's "sign out everywhere": every session of the
// account ends at its next request. It is audited even when there was none.
func (s *Service) EndUserSessions(ctx context.Context, a access.Actor, userID int64) (*User, int, error) {
	if err := requireAdmin(a, "end staff sessions"); err != nil {
		return nil, 0, err
	}
	var u *userRow
	var n int
	err := postgres.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if u, err = getUser(ctx, tx, userID, true); err != nil {
			return err
		}
		if n, err = endUserSessions(ctx, tx, userID, nil, EndEverywhere, s.now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, sessionsEndedEntry(a, u.Email, EndEverywhere, n))
	})
	if err != nil {
		return nil, 0, err
	}
	return &u.User, n, nil
}

// endSessionsFor ends a user's sessions (but keep) as part of a change
// already in tx, with an audit entry when there were any.
func endSessionsFor(ctx context.Context, tx *sqlx.Tx, a access.Actor, u *User, keep []byte, why string, now time.Time) error {
	n, err := endUserSessions(ctx, tx, u.ID, keep, why, now)
	if err != nil || n == 0 {
		return err
	}
	return audit.Write(ctx, tx, sessionsEndedEntry(a, u.Email, why, n))
}

// sessionsEndedEntry records n sessions of subject (an e-mail; "" for the
// actor's own) ended, and why.
func sessionsEndedEntry(a access.Actor, subject, why string, n int) audit.Record {
	return audit.Record{Actor: a, Action: audit.ActionSessionsEnd, Subject: subject, Reason: why,
		Changes: []audit.Change{{Path: "sessionsEnded", New: n}}}
}

// maybePruneSessions deletes long-finished sessions, at most once an hour per
// process, on the sign-in path (the only one that adds rows).
func (s *Service) maybePruneSessions(ctx context.Context) {
	now := s.now()
	last := s.sessionsPruned.Load()
	if now.Unix()-last < int64(sessionPruneEvery/time.Second) || !s.sessionsPruned.CompareAndSwap(last, now.Unix()) {
		return
	}
	if err := pruneSessions(ctx, s.db, now.Add(-sessionKeep)); err != nil {
		s.log.Error("pruning old sessions", "err", err)
	}
}

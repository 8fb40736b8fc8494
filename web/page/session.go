package page

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/auth"
)

// Session lifetimes: signed out after IdleTimeout without a request, and
// after MaxLifetime whatever happens.
const (
	IdleTimeout = 30 * time.Minute
	MaxLifetime = 12 * time.Hour
	cookieName  = "verity_session"
	// touchEvery limits how often a request rewrites the cookie just to move
	// the idle clock.
	touchEvery = time.Minute
)

// Session values. The cookie is signed and encrypted (securecookie); it
// holds only ids and clocks. Revocation lives on the server: the user's
// session version must match (auth.SessionUser), so deactivation, a password
// change or a sign-out elsewhere ends the session at its next request.
const (
	keyUserID  = "uid"
	keyVersion = "ver"
	keyCSRF    = "csrf"
	keyStarted = "started"
	keySeen    = "seen"
	keyFlash   = "flash"
	keyNotice  = "notice" // why the user was sent to sign in again
)

// Sessions owns the cookie store and the checks every page request passes.
type Sessions struct {
	store *sessions.CookieStore
	auth  *auth.Service
	log   *slog.Logger
	now   func() time.Time
}

// SessionOptions configure NewSessions.
type SessionOptions struct {
	Secret string // SESSION_SECRET; "" (development only) uses a random key per process
	Secure bool   // Secure cookie flag: on outside development
	Auth   *auth.Service
	Log    *slog.Logger
	Now    func() time.Time // tests move the clock
}

// NewSessions derives separate signing and encryption keys from the secret.
func NewSessions(o SessionOptions) (*Sessions, error) {
	secret := []byte(o.Secret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
	}
	hashKey := sha256.Sum256(append([]byte("verity session signing\x00"), secret...))
	blockKey := sha256.Sum256(append([]byte("verity session encryption\x00"), secret...))
	st := sessions.NewCookieStore(hashKey[:], blockKey[:])
	st.Options = &sessions.Options{
		Path: "/", MaxAge: int(MaxLifetime / time.Second), HttpOnly: true, Secure: o.Secure, SameSite: http.SameSiteLaxMode,
	}
	st.MaxAge(int(MaxLifetime / time.Second))
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Sessions{store: st, auth: o.Auth, log: o.Log, now: o.Now}, nil
}

// session returns this request's session (decoded once per request). A
// cookie that cannot be decoded (old key, tampering) is a new, empty session.
func session(c echo.Context) *sessions.Session {
	s, _ := c.Get(ctxSess).(*sessions.Session)
	return s
}

func save(c echo.Context) error {
	s := session(c)
	if s == nil {
		return errors.New("no session on this request")
	}
	return s.Save(c.Request(), c.Response())
}

// Load is the middleware for every page route: it decodes the session,
// makes sure it has a CSRF token, ends it when idle or too old, and puts the
// signed-in user (re-read from the database, so role and active flag are
// current) on the context. It does not require a user; RequireUser does.
func (s *Sessions) Load(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := s.store.Get(c.Request(), cookieName)
		if err != nil { // undecodable cookie: start afresh
			sess, _ = s.store.New(c.Request(), cookieName)
		}
		c.Set(ctxSess, sess)
		dirty := false
		token, _ := sess.Values[keyCSRF].(string)
		if token == "" {
			token = newToken()
			sess.Values[keyCSRF] = token
			dirty = true
		}
		c.Set(ctxCSRF, token)

		now := s.now()
		if uid, ok := sess.Values[keyUserID].(int64); ok {
			ver, _ := sess.Values[keyVersion].(int)
			started, _ := sess.Values[keyStarted].(int64)
			seen, _ := sess.Values[keySeen].(int64)
			switch {
			case now.Sub(time.Unix(seen, 0)) > IdleTimeout:
				s.endSession(sess, "You were signed out after 30 minutes without activity. Please sign in again.")
				dirty = true
			case now.Sub(time.Unix(started, 0)) > MaxLifetime:
				s.endSession(sess, "Your session has ended. Please sign in again.")
				dirty = true
			default:
				u, err := s.auth.SessionUser(c.Request().Context(), uid, ver)
				switch {
				case err == nil:
					c.Set(ctxUser, u)
					if now.Sub(time.Unix(seen, 0)) >= touchEvery {
						sess.Values[keySeen] = now.Unix()
						dirty = true
					}
				case errors.Is(err, apperr.ErrUnauthorized):
					s.endSession(sess, "Your session has ended (your account was changed). Please sign in again.")
					dirty = true
				default:
					return err
				}
			}
		}
		if dirty {
			if err := sess.Save(c.Request(), c.Response()); err != nil {
				return err
			}
		}
		return next(c)
	}
}

func (s *Sessions) endSession(sess *sessions.Session, notice string) {
	for _, k := range []string{keyUserID, keyVersion, keyStarted, keySeen} {
		delete(sess.Values, k)
	}
	sess.Values[keyNotice] = notice
}

// SignIn binds the session to the user and rotates the CSRF token (a fixed
// pre-sign-in token must not survive into the signed-in session).
func SignIn(c echo.Context, u *auth.User, now time.Time) error {
	sess := session(c)
	sess.Values[keyUserID] = u.ID
	sess.Values[keyVersion] = u.SessionVersion
	sess.Values[keyStarted] = now.Unix()
	sess.Values[keySeen] = now.Unix()
	delete(sess.Values, keyNotice)
	token := newToken()
	sess.Values[keyCSRF] = token
	c.Set(ctxCSRF, token)
	c.Set(ctxUser, u)
	return save(c)
}

// SignOut forgets the user and issues a fresh CSRF token.
func SignOut(c echo.Context) error {
	sess := session(c)
	for k := range sess.Values {
		delete(sess.Values, k)
	}
	token := newToken()
	sess.Values[keyCSRF] = token
	c.Set(ctxCSRF, token)
	c.Set(ctxUser, nil)
	return save(c)
}

// RequireUser sends visitors without a session to the sign-in page,
// remembering where they were going (GET only). htmx requests get
// HX-Redirect so the whole page changes, not a fragment.
func RequireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if User(c) != nil {
			return next(c)
		}
		to := PathSignIn
		r := c.Request()
		if r.Method == http.MethodGet && !IsHTMX(c) {
			to += "?next=" + url.QueryEscape(r.URL.RequestURI())
		} else if r.Method == http.MethodGet {
			if cur := r.Header.Get("HX-Current-URL"); cur != "" {
				if u, err := url.Parse(cur); err == nil {
					to += "?next=" + url.QueryEscape(u.RequestURI())
				}
			}
		}
		if c.Request().Header.Get("HX-Request") == "true" {
			c.Response().Header().Set("HX-Redirect", to)
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.Redirect(http.StatusSeeOther, to)
	}
}

// Notice takes the message saying why the user was signed out, if any.
func Notice(c echo.Context) string {
	sess := session(c)
	n, _ := sess.Values[keyNotice].(string)
	if n != "" {
		delete(sess.Values, keyNotice)
		_ = save(c)
	}
	return n
}

// PathSignIn is where RequireUser sends visitors.
const PathSignIn = "/sign-in"

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux; a failure here is fatal
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// AddFlashNotice keeps a notice for the sign-in page (shown to signed-out visitors).
func AddFlashNotice(c echo.Context, text string) error {
	session(c).Values[keyNotice] = text
	return save(c)
}

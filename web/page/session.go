package page

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/auth"
)

const (
	cookieName      = "verity_session"
	ctxSessionToken = "page.sessionToken"
)

// Session values. The cookie is signed and encrypted (securecookie) and holds
// the token of a server-side session (auth.Service.SignIn), the CSRF token
// and one-off messages. Everything that decides whether the session is
// valid — open, not idle, not too old, its account active and unchanged —
// lives in staff_sessions, so signing out, an admin's "sign out everywhere",
// deactivation, a role or password change end a copied cookie too.
const (
	keySession = "sid"
	keyCSRF    = "csrf"
	keyFlash   = "flash"
	keyNotice  = "notice" // why the user was sent to sign in again
)

// Values a cookie of the previous release carried; such a session is
// simply over (its owner signs in once more).
var legacyKeys = []string{"uid", "ver", "started", "seen"}

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
	Now    func() time.Time // tests move the clock (session lifetimes follow auth.Service's clock)
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
		Path: "/", MaxAge: int(auth.SessionMaxAge / time.Second), HttpOnly: true, Secure: o.Secure, SameSite: http.SameSiteLaxMode,
	}
	st.MaxAge(int(auth.SessionMaxAge / time.Second))
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
// makes sure it has a CSRF token, and puts the signed-in user on the context
// when the server-side session is valid (auth.Service.SessionUser: one
// query, so role and active flag are current). It does not require a user;
// RequireUser does.
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

		if sid, ok := sess.Values[keySession].(string); ok {
			u, err := s.auth.SessionUser(c.Request().Context(), sid)
			switch {
			case err == nil:
				c.Set(ctxUser, u)
				c.Set(ctxSessionToken, sid)
			case errors.Is(err, apperr.ErrUnauthorized):
				endSession(sess, noticeFor(err))
				dirty = true
			default:
				return err
			}
		}
		for _, k := range legacyKeys {
			if _, ok := sess.Values[k]; ok {
				delete(sess.Values, k)
				dirty = true
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

// noticeFor words why a session ended for the sign-in page.
func noticeFor(err error) string {
	switch {
	case errors.Is(err, auth.ErrSessionIdle):
		return "You were signed out after 30 minutes without activity. Please sign in again."
	case errors.Is(err, auth.ErrSessionTooOld):
		return "Your session has ended after 12 hours. Please sign in again."
	}
	if e := AppError(err); e != nil {
		if r, size := utf8.DecodeRuneInString(e.Message); size > 0 {
			return string(unicode.ToUpper(r)) + strings.Replace(e.Message[size:], "; please", ". Please", 1) + "."
		}
	}
	return "Your session has ended. Please sign in again."
}

func endSession(sess *sessions.Session, notice string) {
	delete(sess.Values, keySession)
	sess.Values[keyNotice] = notice
}

// SignIn binds the cookie to the server-side session just started (token
// from auth.Service.SignIn) and rotates the CSRF token: a fixed pre-sign-in
// token must not survive into the signed-in session.
func SignIn(c echo.Context, u *auth.User, token string) error {
	sess := session(c)
	sess.Values[keySession] = token
	delete(sess.Values, keyNotice)
	csrf := newToken()
	sess.Values[keyCSRF] = csrf
	c.Set(ctxCSRF, csrf)
	c.Set(ctxUser, u)
	c.Set(ctxSessionToken, token)
	return save(c)
}

// SessionToken is the server-side session of this request ("" when signed
// out), for the services that end sessions.
func SessionToken(c echo.Context) string {
	t, _ := c.Get(ctxSessionToken).(string)
	return t
}

// SignOut forgets the user and issues a fresh CSRF token; the caller ends
// the server-side session (auth.Service.Logout) first.
func SignOut(c echo.Context) error {
	sess := session(c)
	for k := range sess.Values {
		delete(sess.Values, k)
	}
	token := newToken()
	sess.Values[keyCSRF] = token
	c.Set(ctxCSRF, token)
	c.Set(ctxUser, nil)
	c.Set(ctxSessionToken, "")
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

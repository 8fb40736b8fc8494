// Package webhook sends customer events to the endpoints admins register:
// the endpoints themselves, the outbox customer writes fill in their own
// transaction (Emit), and the worker that delivers it, signed, at least once
// and in order per endpoint and customer. docs/webhooks.md has the rules.
package webhook

import (
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
)

// Options configure a Service; zero values take the production defaults.
type Options struct {
	// AllowPrivate (WEBHOOK_ALLOW_PRIVATE) lets endpoints be http:// and
	// resolve to loopback, private and other internal addresses: development
	// and tests only.
	AllowPrivate bool
	Timeout      time.Duration    // per try, DefaultTimeout when 0
	Lease        time.Duration    // how long a claim holds a delivery, Timeout + 5 s when 0
	BaseBackoff  time.Duration    // first retry's ceiling, DefaultBaseBackoff when 0
	MaxBackoff   time.Duration    // ceiling of any retry, DefaultMaxBackoff when 0
	GiveUpAfter  time.Duration    // since the event, DefaultGiveUpAfter when 0
	MaxAttempts  int              // DefaultMaxAttempts when 0
	Poll         time.Duration    // how often the worker looks for due deliveries, DefaultPoll when 0
	Pace         time.Duration    // least wait between rounds that did not fill a batch, DefaultPace when 0
	Batch        int              // deliveries claimed at once, DefaultBatch when 0
	Concurrency  int              // tries under way at once in Run, DefaultConcurrency when 0
	Now          func() time.Time // the clock; time.Now when nil
}

// The production defaults of Options.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultBaseBackoff = 5 * time.Second
	DefaultMaxBackoff  = 15 * time.Minute
	DefaultGiveUpAfter = 24 * time.Hour
	DefaultMaxAttempts = 100
	DefaultPoll        = time.Second
	DefaultPace        = 25 * time.Millisecond
	DefaultBatch       = 64
	DefaultConcurrency = 64
	// RotationOverlap is how long the previous secret still signs after a rotation.
	RotationOverlap = 24 * time.Hour
	// MaxResponseBody is how much of a receiver's answer is read (and kept, cut, in last_error).
	MaxResponseBody = 4 << 10
)

// Service manages endpoints and delivers their events.
type Service struct {
	db        *sqlx.DB
	opts      Options
	sender    *sender // makes the tries' POSTs
	mu        sync.Mutex
	emit      *sqlx.Stmt // emitSQL, prepared after first use
	preparing bool
	wake      chan struct{} // an event was written here: Run looks soon
}

// NewService wires the webhook service to its database.
func NewService(db *sqlx.DB, opts Options) *Service {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Lease <= 0 {
		opts.Lease = opts.Timeout + 5*time.Second
	}
	if opts.BaseBackoff <= 0 {
		opts.BaseBackoff = DefaultBaseBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	if opts.GiveUpAfter <= 0 {
		opts.GiveUpAfter = DefaultGiveUpAfter
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Pace <= 0 {
		opts.Pace = DefaultPace
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultBatch
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: db, opts: opts, sender: newSender(opts.Timeout, opts.AllowPrivate, opts.Concurrency),
		wake: make(chan struct{}, 1)}
}

// Endpoint is a registered receiver. Its secrets never leave the service
// except once, when created or rotated.
type Endpoint struct {
	ID         int64     `json:"-" db:"id"`
	Reference  uuid.UUID `json:"id" db:"reference"`
	URL        string    `json:"url" db:"url"`
	Events     []string  `json:"events" db:"-"`
	Enabled    bool      `json:"enabled" db:"enabled"`
	Rotating   bool      `json:"rotating" db:"rotating"` // the previous secret still signs
	CreatedAt  time.Time `json:"createdAt" db:"created_at"`
	UpdatedAt  time.Time `json:"updatedAt" db:"updated_at"`
	Pending    int       `json:"pendingDeliveries" db:"pending"`
	FailedLast int       `json:"failedDeliveries" db:"failed"`
}

// Allowed tells whether a may manage webhooks: admins only.
func (s *Service) Allowed(a access.Actor) error {
	if !a.Role.Can(access.PermAdministrate) {
		return apperr.Forbidden("your role (%s) may not manage webhooks", a.Role)
	}
	return nil
}

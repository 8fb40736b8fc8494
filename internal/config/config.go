// Package config reads Verity's settings from the environment once, into a
// typed Config, and refuses to start on a setting that makes no sense.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environments Verity knows.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Config is every setting, typed. Zero values never reach the program: Load
// fills defaults meant for development.
type Config struct {
	Env         string // VERITY_ENV: development (default) or production
	DatabaseURL string // DATABASE_URL: empty means "start a private PostgreSQL under DataDir"
	// DatabaseReadURL (DATABASE_READ_URL, optional) is a streaming replica
	// of DATABASE_URL that lists, searches, counts and exports read from.
	DatabaseReadURL string
	// DatabaseReadMaxLag (DATABASE_READ_MAX_LAG, default 2s) is how far the
	// replica may fall behind before reads go back to the primary.
	DatabaseReadMaxLag time.Duration
	Addr               string // ADDR: listen address, default 127.0.0.1:8080
	SessionSecret      string // SESSION_SECRET: at least 32 characters; required in production
	FourEyes           bool   // FOUR_EYES: the latest editor may not approve (default true)
	// ReviewSLA (REVIEW_SLA, a Go duration, default 72h) is how long a
	// PENDING case may wait before it shows as overdue.
	ReviewSLA time.Duration
	// NextCaseHighRiskFirst (NEXT_CASE_HIGH_RISK_FIRST, default false) makes
	// "next case" hand out HIGH risk cases before older lower-risk ones.
	NextCaseHighRiskFirst bool
	VerifyBaseURL         string     // VERIFY_BASE_URL: base of verification links
	LogLevel              slog.Level // LOG_LEVEL: debug, info (default), warn, error
	DataDir               string     // DATA_DIR: where the private PostgreSQL keeps its data, default ./data
	// TrustedProxies (TRUSTED_PROXIES: comma-separated CIDRs or addresses,
	// default none) are the peers whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	MetricsToken   string // METRICS_TOKEN: bearer token that /metrics on ADDR requires; empty: not served there
	MetricsAddr    string // METRICS_ADDR: a separate host:port serving only /metrics; empty: none
	// WebhookAllowPrivate (WEBHOOK_ALLOW_PRIVATE, default false) lets webhook
	// endpoints be http:// and reach loopback and private addresses:
	// development and tests only (docs/webhooks.md).
	WebhookAllowPrivate bool
	// WebhookWorkerOff (WEBHOOK_WORKER=off, default on) keeps this serve
	// process from delivering webhooks; other processes deliver its events.
	WebhookWorkerOff bool
	// ApprovalRequiresDocuments (APPROVAL_REQUIRES_DOCUMENTS, default false)
	// makes accepted evidence an approval precondition (docs/documents.md).
	ApprovalRequiresDocuments bool
	DocumentMaxSize           int64 // DOCUMENT_MAX_SIZE: bytes per file after decoding, default 10 MiB
	DocumentMaxFiles          int   // DOCUMENT_MAX_FILES: files per upload request, default 3
}

// Development tells whether development defaults and relaxations apply.
func (c Config) Development() bool { return c.Env == EnvDevelopment }

// Load reads the environment through getenv (os.Getenv in production code).
func Load(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Config{
		Env:           or(getenv("VERITY_ENV"), EnvDevelopment),
		DatabaseURL:   strings.TrimSpace(getenv("DATABASE_URL")),
		Addr:          or(getenv("ADDR"), "127.0.0.1:8080"),
		SessionSecret: getenv("SESSION_SECRET"),
		VerifyBaseURL: or(getenv("VERIFY_BASE_URL"), "https://verify.example.com/kyb"),
		DataDir:       or(getenv("DATA_DIR"), "data"),
		FourEyes:      true,
		ReviewSLA:     DefaultReviewSLA,
		MetricsToken:  strings.TrimSpace(getenv("METRICS_TOKEN")),
		MetricsAddr:   strings.TrimSpace(getenv("METRICS_ADDR")),

		DocumentMaxSize:    DefaultDocumentMaxSize,
		DocumentMaxFiles:   DefaultDocumentMaxFiles,
		DatabaseReadURL:    strings.TrimSpace(getenv("DATABASE_READ_URL")),
		DatabaseReadMaxLag: DefaultReadMaxLag,
	}
	var errs []error
	proxies, err := ParseTrustedProxies(getenv("TRUSTED_PROXIES"))
	if err != nil {
		errs = append(errs, err)
	}
	c.TrustedProxies = proxies
	if v := getenv("FOUR_EYES"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("FOUR_EYES: %q is not true or false", v))
		}
		c.FourEyes = b
	}
	if v := getenv("REVIEW_SLA"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("REVIEW_SLA: %q is not a duration such as 72h or 48h30m", v))
		}
		c.ReviewSLA = d
	}
	if v := getenv("NEXT_CASE_HIGH_RISK_FIRST"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("NEXT_CASE_HIGH_RISK_FIRST: %q is not true or false", v))
		}
		c.NextCaseHighRiskFirst = b
	}
	if v := getenv("WEBHOOK_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("WEBHOOK_ALLOW_PRIVATE: %q is not true or false", v))
		}
		c.WebhookAllowPrivate = b
	}
	switch v := getenv("WEBHOOK_WORKER"); v {
	case "", "on":
	case "off":
		c.WebhookWorkerOff = true
	default:
		errs = append(errs, fmt.Errorf("WEBHOOK_WORKER: %q is not on or off", v))
	}
	if v := getenv("APPROVAL_REQUIRES_DOCUMENTS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("APPROVAL_REQUIRES_DOCUMENTS: %q is not true or false", v))
		}
		c.ApprovalRequiresDocuments = b
	}
	if v := getenv("DOCUMENT_MAX_SIZE"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("DOCUMENT_MAX_SIZE: %q is not a number of bytes", v))
		}
		c.DocumentMaxSize = n
	}
	if v := getenv("DOCUMENT_MAX_FILES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("DOCUMENT_MAX_FILES: %q is not a whole number", v))
		}
		c.DocumentMaxFiles = n
	}
	if v := getenv("DATABASE_READ_MAX_LAG"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("DATABASE_READ_MAX_LAG: %q is not a duration such as 2s or 500ms", v))
		}
		c.DatabaseReadMaxLag = d
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL: %q is not debug, info, warn or error", v))
		}
	}
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// Validate fails fast on settings that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.Env != EnvDevelopment && c.Env != EnvProduction {
		errs = append(errs, fmt.Errorf("VERITY_ENV: %q is not development or production", c.Env))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("ADDR: %q is not host:port", c.Addr))
	}
	if c.SessionSecret == "" && !c.Development() {
		errs = append(errs, errors.New("SESSION_SECRET: required outside development (at least 32 characters)"))
	}
	if c.SessionSecret != "" && len(c.SessionSecret) < 32 {
		errs = append(errs, errors.New("SESSION_SECRET: must be at least 32 characters"))
	} else if c.SessionSecret != "" && distinct(c.SessionSecret) < minSecretDistinct {
		errs = append(errs, fmt.Errorf("SESSION_SECRET: too predictable (fewer than %d different characters); use a random value, e.g. openssl rand -base64 48", minSecretDistinct))
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < minMetricsToken {
		errs = append(errs, fmt.Errorf("METRICS_TOKEN: must be at least %d characters", minMetricsToken))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("METRICS_ADDR: %q is not host:port", c.MetricsAddr))
		} else if c.MetricsAddr == c.Addr {
			errs = append(errs, errors.New("METRICS_ADDR: must differ from ADDR"))
		}
	}
	if c.ReviewSLA < time.Minute || c.ReviewSLA > 365*24*time.Hour {
		errs = append(errs, fmt.Errorf("REVIEW_SLA: %s must be between 1m and 8760h", c.ReviewSLA))
	}
	if c.DocumentMaxSize < 1<<10 || c.DocumentMaxSize > MaxDocumentSize {
		errs = append(errs, fmt.Errorf("DOCUMENT_MAX_SIZE: %d must be between 1024 and %d bytes", c.DocumentMaxSize, int64(MaxDocumentSize)))
	}
	if c.DocumentMaxFiles < 1 || c.DocumentMaxFiles > 20 {
		errs = append(errs, fmt.Errorf("DOCUMENT_MAX_FILES: %d must be between 1 and 20", c.DocumentMaxFiles))
	}
	if c.DatabaseURL == "" && !c.Development() {
		errs = append(errs, errors.New("DATABASE_URL: required outside development"))
	}
	if c.DatabaseReadURL != "" && c.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_READ_URL: needs DATABASE_URL (the primary it replicates)"))
	}
	if c.DatabaseReadURL != "" && c.DatabaseReadURL == c.DatabaseURL {
		errs = append(errs, errors.New("DATABASE_READ_URL: must be a replica, not DATABASE_URL itself"))
	}
	if c.DatabaseReadURL != "" && (c.DatabaseReadMaxLag < 100*time.Millisecond || c.DatabaseReadMaxLag > time.Minute) {
		errs = append(errs, fmt.Errorf("DATABASE_READ_MAX_LAG: %s must be between 100ms and 1m", c.DatabaseReadMaxLag))
	}
	if u, err := url.Parse(c.VerifyBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("VERIFY_BASE_URL: %q is not an http(s) URL", c.VerifyBaseURL))
	}
	return errors.Join(errs...)
}

// DefaultReadMaxLag is DATABASE_READ_MAX_LAG's default.
const DefaultReadMaxLag = 2 * time.Second

// DefaultReviewSLA is how long a PENDING case may wait before it is overdue.
const DefaultReviewSLA = 72 * time.Hour

// Document limits: the defaults, and the largest file DOCUMENT_MAX_SIZE may
// allow (an upload request's body limit grows with it).
const (
	DefaultDocumentMaxSize  = 10 << 20
	DefaultDocumentMaxFiles = 3
	MaxDocumentSize         = 100 << 20
)

// Secrets need this many different characters: a SESSION_SECRET of spaces,
// one repeated character or "abababab…" is refused however long it is.
const minSecretDistinct = 8

// minMetricsToken keeps the metrics bearer token out of guessing range.
const minMetricsToken = 16

func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// ParseTrustedProxies reads TRUSTED_PROXIES: comma-separated CIDRs
// ("10.0.0.0/8") or single addresses ("192.0.2.10", taken as /32 or /128).
func ParseTrustedProxies(v string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	var errs []error
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			_, n, err := net.ParseCIDR(f)
			if err != nil {
				errs = append(errs, fmt.Errorf("TRUSTED_PROXIES: %q is not a CIDR range or an IP address", f))
				continue
			}
			out = append(out, n)
			continue
		}
		ip := net.ParseIP(f)
		if ip == nil {
			errs = append(errs, fmt.Errorf("TRUSTED_PROXIES: %q is not a CIDR range or an IP address", f))
			continue
		}
		bits := 128
		if ip4 := ip.To4(); ip4 != nil {
			ip, bits = ip4, 32
		}
		out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
	}
	return out, errors.Join(errs...)
}

func or(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

package config

import (
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
)

// goodSecret is a SESSION_SECRET that passes every check.
const goodSecret = "k3Jd9-vQ2xLm8PzR4tWy7NbC1hGf6SaE"

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	t.Run("OK_Defaults", func(t *testing.T) {
		c, err := Load(env(nil))
		if err != nil {
			t.Fatal(err)
		}
		if !c.FourEyes || c.Addr != "127.0.0.1:8080" || !c.Development() || c.LogLevel != slog.LevelInfo {
			t.Fatalf("defaults: %+v", c)
		}
	})
	t.Run("OK_ReviewSLA", func(t *testing.T) {
		c, err := Load(env(nil))
		if err != nil || c.ReviewSLA != 72*time.Hour || c.NextCaseHighRiskFirst {
			t.Fatalf("default SLA %v, high first %v, %v", c.ReviewSLA, c.NextCaseHighRiskFirst, err)
		}
		c, err = Load(env(map[string]string{"REVIEW_SLA": "48h30m", "NEXT_CASE_HIGH_RISK_FIRST": "true"}))
		if err != nil || c.ReviewSLA != 48*time.Hour+30*time.Minute || !c.NextCaseHighRiskFirst {
			t.Fatalf("parsed SLA %v, high first %v, %v", c.ReviewSLA, c.NextCaseHighRiskFirst, err)
		}
	})
	t.Run("OK_WebhookAllowPrivate", func(t *testing.T) {
		c, err := Load(env(nil))
		if err != nil || c.WebhookAllowPrivate {
			t.Fatalf("default allows private webhook addresses: %v", err)
		}
		if c, err = Load(env(map[string]string{"WEBHOOK_ALLOW_PRIVATE": "true"})); err != nil || !c.WebhookAllowPrivate {
			t.Fatalf("WEBHOOK_ALLOW_PRIVATE=true not read: %v", err)
		}
	})
	t.Run("OK_WebhookWorker", func(t *testing.T) {
		c, err := Load(env(nil))
		if err != nil || c.WebhookWorkerOff {
			t.Fatalf("the webhook worker is off by default: %v", err)
		}
		if c, err = Load(env(map[string]string{"WEBHOOK_WORKER": "off"})); err != nil || !c.WebhookWorkerOff {
			t.Fatalf("WEBHOOK_WORKER=off not read: %v", err)
		}
	})
	t.Run("OK_Production", func(t *testing.T) {
		c, err := Load(env(map[string]string{"VERITY_ENV": "production", "DATABASE_URL": "postgres://x/y",
			"SESSION_SECRET": goodSecret, "FOUR_EYES": "false", "LOG_LEVEL": "warn"}))
		if err != nil {
			t.Fatal(err)
		}
		if c.FourEyes || c.LogLevel != slog.LevelWarn {
			t.Fatalf("parsed: %+v", c)
		}
	})
	bad := map[string]map[string]string{
		"ErrProductionWithoutSecret": {"VERITY_ENV": "production", "DATABASE_URL": "postgres://x/y"},
		"ErrProductionWithoutDB":     {"VERITY_ENV": "production", "SESSION_SECRET": goodSecret},
		"ErrShortSecret":             {"SESSION_SECRET": "short"},
		"ErrFourEyes":                {"FOUR_EYES": "maybe"},
		"ErrLogLevel":                {"LOG_LEVEL": "loud"},
		"ErrReviewSLA":               {"REVIEW_SLA": "3 days"},
		"ErrReviewSLANegative":       {"REVIEW_SLA": "-1h"},
		"ErrNextCaseFlag":            {"NEXT_CASE_HIGH_RISK_FIRST": "often"},
		"ErrWebhookAllowPrivate":     {"WEBHOOK_ALLOW_PRIVATE": "sometimes"},
		"ErrWebhookWorker":           {"WEBHOOK_WORKER": "sometimes"},
		"ErrAddr":                    {"ADDR": "8080"},
		"ErrVerifyURL":               {"VERIFY_BASE_URL": "ftp://x"},
		"ErrEnv":                     {"VERITY_ENV": "staging"},
		"ErrSecretOfSpaces":          {"SESSION_SECRET": strings.Repeat(" ", 48)},
		"ErrSecretOneCharacter":      {"SESSION_SECRET": strings.Repeat("s", 64)},
		"ErrSecretFewCharacters":     {"SESSION_SECRET": strings.Repeat("abc123", 8)},
		"ErrTrustedProxies":          {"TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"},
		"ErrTrustedProxiesCIDR":      {"TRUSTED_PROXIES": "10.0.0.0/33"},
		"ErrMetricsTokenShort":       {"METRICS_TOKEN": "secret"},
		"ErrMetricsAddr":             {"METRICS_ADDR": "9090"},
		"ErrMetricsAddrSameAsAddr":   {"METRICS_ADDR": "127.0.0.1:8080"},
		"ErrDocumentsRule":           {"APPROVAL_REQUIRES_DOCUMENTS": "sometimes"},
		"ErrDocumentMaxSize":         {"DOCUMENT_MAX_SIZE": "10MB"},
		"ErrDocumentMaxSizeTooBig":   {"DOCUMENT_MAX_SIZE": "1073741824"},
		"ErrDocumentMaxFiles":        {"DOCUMENT_MAX_FILES": "0"},
		"ErrReadURLWithoutPrimary":   {"DATABASE_READ_URL": "postgres://replica/verity"},
		"ErrReadURLIsThePrimary":     {"DATABASE_URL": "postgres://db/verity", "DATABASE_READ_URL": "postgres://db/verity"},
		"ErrReadMaxLag":              {"DATABASE_URL": "postgres://db/verity", "DATABASE_READ_URL": "postgres://replica/verity", "DATABASE_READ_MAX_LAG": "soon"},
		"ErrReadMaxLagTooLong":       {"DATABASE_URL": "postgres://db/verity", "DATABASE_READ_URL": "postgres://replica/verity", "DATABASE_READ_MAX_LAG": "5m"},
	}
	for name, m := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(env(m)); err == nil {
				t.Fatalf("expected an error for %v", m)
			}
		})
	}
}

func TestReadReplicaSettings(t *testing.T) {
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://db/verity",
		"DATABASE_READ_URL": " postgres://replica/verity ", "DATABASE_READ_MAX_LAG": "500ms"}))
	if err != nil || c.DatabaseReadURL != "postgres://replica/verity" || c.DatabaseReadMaxLag != 500*time.Millisecond {
		t.Fatalf("read URL %q, max lag %s, %v", c.DatabaseReadURL, c.DatabaseReadMaxLag, err)
	}
	if c, err := Load(env(nil)); err != nil || c.DatabaseReadURL != "" || c.DatabaseReadMaxLag != DefaultReadMaxLag {
		t.Fatalf("defaults: %q %s %v", c.DatabaseReadURL, c.DatabaseReadMaxLag, err)
	}
}

func TestTrustedProxies(t *testing.T) {
	t.Run("OK_NoneByDefault", func(t *testing.T) {
		c, err := Load(env(nil))
		if err != nil || len(c.TrustedProxies) != 0 {
			t.Fatalf("default trusted proxies %v, %v", c.TrustedProxies, err)
		}
	})
	t.Run("OK_RangesAndAddresses", func(t *testing.T) {
		c, err := Load(env(map[string]string{"TRUSTED_PROXIES": " 10.0.0.0/8, 192.0.2.10 ,2001:db8::1,"}))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"10.0.0.0/8", "192.0.2.10/32", "2001:db8::1/128"}
		if len(c.TrustedProxies) != len(want) {
			t.Fatalf("got %v, want %v", c.TrustedProxies, want)
		}
		for i, n := range c.TrustedProxies {
			if n.String() != want[i] {
				t.Errorf("range %d: %s, want %s", i, n, want[i])
			}
		}
		if !c.TrustedProxies[1].Contains(net.ParseIP("192.0.2.10")) || c.TrustedProxies[1].Contains(net.ParseIP("192.0.2.11")) {
			t.Errorf("a single address must trust exactly itself")
		}
	})
}

func TestMetricsSettings(t *testing.T) {
	c, err := Load(env(map[string]string{"METRICS_TOKEN": "0123456789abcdef0123", "METRICS_ADDR": "127.0.0.1:9090"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsToken != "0123456789abcdef0123" || c.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("parsed: %+v", c)
	}
}

func TestDocumentSettings(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.ApprovalRequiresDocuments || c.DocumentMaxSize != 10<<20 || c.DocumentMaxFiles != 3 {
		t.Fatalf("defaults: %v %v %d %d", err, c.ApprovalRequiresDocuments, c.DocumentMaxSize, c.DocumentMaxFiles)
	}
	c, err = Load(env(map[string]string{"APPROVAL_REQUIRES_DOCUMENTS": "true", "DOCUMENT_MAX_SIZE": "5242880", "DOCUMENT_MAX_FILES": "5"}))
	if err != nil || !c.ApprovalRequiresDocuments || c.DocumentMaxSize != 5<<20 || c.DocumentMaxFiles != 5 {
		t.Fatalf("parsed: %v %+v", err, c)
	}
}

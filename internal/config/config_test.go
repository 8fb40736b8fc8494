package config

import (
	"log/slog"
	"strings"
	"testing"
)

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
	t.Run("OK_Production", func(t *testing.T) {
		c, err := Load(env(map[string]string{"VERITY_ENV": "production", "DATABASE_URL": "postgres://x/y",
			"SESSION_SECRET": strings.Repeat("s", 32), "FOUR_EYES": "false", "LOG_LEVEL": "warn"}))
		if err != nil {
			t.Fatal(err)
		}
		if c.FourEyes || c.LogLevel != slog.LevelWarn {
			t.Fatalf("parsed: %+v", c)
		}
	})
	bad := map[string]map[string]string{
		"ErrProductionWithoutSecret": {"VERITY_ENV": "production", "DATABASE_URL": "postgres://x/y"},
		"ErrProductionWithoutDB":     {"VERITY_ENV": "production", "SESSION_SECRET": strings.Repeat("s", 32)},
		"ErrShortSecret":             {"SESSION_SECRET": "short"},
		"ErrFourEyes":                {"FOUR_EYES": "maybe"},
		"ErrLogLevel":                {"LOG_LEVEL": "loud"},
		"ErrAddr":                    {"ADDR": "8080"},
		"ErrVerifyURL":               {"VERIFY_BASE_URL": "ftp://x"},
		"ErrEnv":                     {"VERITY_ENV": "staging"},
	}
	for name, m := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(env(m)); err == nil {
				t.Fatalf("expected an error for %v", m)
			}
		})
	}
}

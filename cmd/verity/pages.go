package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/web"
	"github.com/verity-kyb/verity/web/site"
)

// mountPages wires the web admin onto the same services the API uses.
func mountPages(a *app) (func(*echo.Echo), func(echo.Context, web.Envelope) error, error) {
	cfg := a.cfg
	if cfg.SessionSecret == "" && cfg.Development() {
		secret, err := devSessionSecret(cfg.DataDir)
		if err != nil {
			return nil, nil, err
		}
		cfg.SessionSecret = secret
	}
	return site.Mount(site.Deps{Config: cfg, Log: a.log, Customers: a.customers, Documents: a.documents, Auth: a.auth, AuditLog: audit.NewLog(a.db),
		Webhooks: a.webhooks})
}

// devSessionSecret keeps a generated session secret under the data directory
// in development, so restarting `make run` does not sign everybody out.
// Production requires SESSION_SECRET (config validation says so).
func devSessionSecret(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "session-secret")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read the development session secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	secret := hex.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("keep the development session secret: %w", err)
	}
	return secret, nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/jmoiron/sqlx"

	"github.com/verity-kyb/verity/internal/auth"
	"github.com/verity-kyb/verity/internal/config"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/internal/webhook"
)

// app is what every command needs: config, database and services.
type app struct {
	cfg       config.Config
	log       *slog.Logger
	db        *sqlx.DB
	pg        *postgres.Server // the private server, when no DATABASE_URL is set
	customers *customer.Service
	auth      *auth.Service
	webhooks  *webhook.Service
}

// openApp loads config, connects (starting the private PostgreSQL when no
// DATABASE_URL is given) and migrates.
func openApp(ctx context.Context, logOut io.Writer) (*app, error) {
	cfg, err := config.Load(nil)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: cfg.LogLevel}))}
	url := cfg.DatabaseURL
	if url == "" {
		a.pg, err = postgres.StartServer(ctx, postgres.ServerOptions{DataDir: filepath.Join(cfg.DataDir, "pg"), Log: logOut})
		if err != nil {
			return nil, err
		}
		if err := a.pg.EnsureDatabase(ctx, "verity"); err != nil {
			a.close()
			return nil, err
		}
		url = a.pg.URL("verity")
	}
	a.db, err = postgres.Open(ctx, url)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	if err := postgres.Migrate(ctx, a.db.DB); err != nil {
		a.close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	a.webhooks = webhook.NewService(a.db, webhook.Options{AllowPrivate: cfg.WebhookAllowPrivate})
	a.customers = customer.NewService(a.db, customer.Options{FourEyes: cfg.FourEyes, VerifyBaseURL: cfg.VerifyBaseURL,
		ReviewSLA: cfg.ReviewSLA, HighRiskFirst: cfg.NextCaseHighRiskFirst,
		QueueCountTTL: customer.DefaultQueueCountTTL, Events: a.webhooks})
	a.auth = auth.NewService(a.db, auth.Options{})
	return a, nil
}

func (a *app) close() {
	if a.db != nil {
		_ = a.db.Close()
	}
	if a.pg != nil {
		if err := a.pg.Stop(); err != nil {
			a.log.Error("stopping PostgreSQL", "err", err)
		}
	}
}

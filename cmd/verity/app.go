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
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/postgres"
	"github.com/verity-kyb/verity/internal/webhook"
)

// app is what every command needs: config, database and services.
type app struct {
	cfg       config.Config
	log       *slog.Logger
	db        *sqlx.DB
	replica   *postgres.ReadReplica // DATABASE_READ_URL, watched by serve; nil: none
	pg        *postgres.Server      // the private server, when no DATABASE_URL is set
	customers *customer.Service
	documents *document.Service
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
	co := customer.Options{FourEyes: cfg.FourEyes, VerifyBaseURL: cfg.VerifyBaseURL,
		ReviewSLA: cfg.ReviewSLA, HighRiskFirst: cfg.NextCaseHighRiskFirst,
		QueueCountTTL: customer.DefaultQueueCountTTL, Events: a.webhooks}
	if cfg.ApprovalRequiresDocuments {
		co.Evidence = document.ApprovalRule()
	}
	if cfg.DatabaseReadURL != "" {
		// Not pinged: a replica that is down at start only means reading
		// from the primary until the watcher finds it well.
		readDB, err := postgres.OpenReplica(cfg.DatabaseReadURL)
		if err != nil {
			a.close()
			return nil, fmt.Errorf("DATABASE_READ_URL: %w", err)
		}
		a.replica = postgres.NewReadReplica(a.db, readDB, postgres.ReplicaOptions{MaxLag: cfg.DatabaseReadMaxLag, Log: a.log})
		co.ReadDB, co.ReadUsable = readDB, a.replica.Usable
	}
	a.customers = customer.NewService(a.db, co)
	a.documents = document.NewService(a.db, a.customers, document.Options{MaxFileSize: cfg.DocumentMaxSize,
		MaxFiles: cfg.DocumentMaxFiles, RequireForApproval: cfg.ApprovalRequiresDocuments})
	a.auth = auth.NewService(a.db, auth.Options{})
	return a, nil
}

func (a *app) close() {
	if a.replica != nil {
		_ = a.replica.DB().Close()
	}
	if a.db != nil {
		_ = a.db.Close()
	}
	if a.pg != nil {
		if err := a.pg.Stop(); err != nil {
			a.log.Error("stopping PostgreSQL", "err", err)
		}
	}
}

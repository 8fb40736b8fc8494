package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/verity-kyb/verity/migrations"
)

// Migrate brings the database up to the newest embedded migration, so every
// start of the binary (and every test template) runs against the schema the
// code expects. It is safe to run from several processes at once: a
// PostgreSQL advisory lock lets one migrate while the others wait, then find
// nothing left to do. It logs nothing; errors name the failing migration.
func Migrate(ctx context.Context, db *sql.DB) error {
	return migrateFS(ctx, db, migrations.FS)
}

// migrateFS runs the goose migrations in fsys (tests use their own sets).
func migrateFS(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	// Retry the lock every second for up to five minutes: long enough for a
	// big migration in another process, short enough to notice a stuck one.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true), // only the SQL files, no Go migrations from init()
		goose.WithVerbose(false),
	)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		// goose names the version only; the file is what a person opens.
		if partial, ok := errors.AsType[*goose.PartialError](err); ok && partial.Failed != nil && partial.Failed.Source != nil {
			return fmt.Errorf("migrate: %s failed (%d applied before it): %w",
				partial.Failed.Source.Path, len(partial.Applied), partial.Err)
		}
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/guestpass/guestpass/internal/storeutil"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded migration file (internal/storeutil).
type migration = storeutil.Migration

// loadMigrations reads our migrations in version order.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	ms, err := storeutil.LoadMigrations(fsys)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return ms, nil
}

// migrate applies the migrations db has not seen, each in its own
// transaction so that a failure leaves the last good version. It refuses a
// database written by a newer binary.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY) STRICT`)
	if err != nil {
		return fmt.Errorf("schema_version: %w", err)
	}
	var current int
	err = db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&current)
	if err != nil {
		return fmt.Errorf("schema_version: %w", err)
	}
	if len(ms) > 0 && current > ms[len(ms)-1].Version {
		return fmt.Errorf("schema version %d is newer than this binary knows (%d)", current, ms[len(ms)-1].Version)
	}
	for _, m := range ms {
		if err := apply(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	defer func() { _ = tx.Rollback() }()
	// Checked inside the transaction: another process may have just
	// applied it.
	var done bool
	err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM schema_version WHERE version = ?)`, m.Version).Scan(&done)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if done {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, m.Version); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	return tx.Commit()
}

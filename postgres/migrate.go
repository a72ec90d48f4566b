package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/guestpass/guestpass/internal/storeutil"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded migration file (internal/storeutil).
type migration = storeutil.Migration

// loadMigrations reads our migrations in version order.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	ms, err := storeutil.LoadMigrations(fsys)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return ms, nil
}

// lockedMigrate runs fn holding a session advisory lock keyed on schema,
// on a connection of its own: nodes opening the same schema at once take
// turns, and each finds the work of the one before done.
func lockedMigrate(ctx context.Context, pool *pgxpool.Pool, schema string, fn func(conn *pgx.Conn) error) (err error) {
	pc, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer pc.Release()
	key := "guestpass migrate " + schema
	if _, err := pc.Exec(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, key); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	defer func() {
		// Unlock even when ctx is done; if that fails, the lock must not
		// stay with a pooled connection, so the connection goes.
		_, uerr := pc.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key)
		if uerr != nil {
			_ = pc.Conn().Close(context.WithoutCancel(ctx))
			err = errors.Join(err, fmt.Errorf("advisory unlock: %w", uerr))
		}
	}()
	return fn(pc.Conn())
}

// migrate creates schema if it is missing and applies the migrations conn
// has not seen, each in its own transaction so that a failure leaves the
// last good version. It refuses a database written by a newer binary.
func migrate(ctx context.Context, conn *pgx.Conn, schema string, ms []migration) error {
	if schema != "" {
		if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	_, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY)`)
	if err != nil {
		return fmt.Errorf("schema_version: %w", err)
	}
	current, err := schemaVersion(ctx, conn)
	if err != nil {
		return err
	}
	if len(ms) > 0 && current > ms[len(ms)-1].Version {
		return fmt.Errorf("schema version %d is newer than this binary knows (%d)", current, ms[len(ms)-1].Version)
	}
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		if err := apply(ctx, conn, m); err != nil {
			return err
		}
	}
	return nil
}

func schemaVersion(ctx context.Context, db dbtx) (int, error) {
	var v int
	if err := db.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema_version: %w", err)
	}
	return v, nil
}

func apply(ctx context.Context, conn *pgx.Conn, m migration) error {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, m.Version)
		return err
	})
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	return nil
}

package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// databaseKey carries run's -database flag to the scenarios' servers, so
// the Scenario signature stays the same for the rows that have no database.
type databaseKey struct{}

func withDatabase(ctx context.Context, db string) context.Context {
	return context.WithValue(ctx, databaseKey{}, db)
}

func databaseFrom(ctx context.Context) string {
	db, _ := ctx.Value(databaseKey{}).(string)
	return db
}

// nodesKey carries run's -nodes flag: how many servers share one database.
type nodesKey struct{}

func withNodes(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, nodesKey{}, n)
}

func nodesFrom(ctx context.Context) int {
	if n, _ := ctx.Value(nodesKey{}).(int); n > 1 {
		return n
	}
	return 1
}

func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// checkDatabase validates the -database and -nodes flags before any
// server starts: several nodes need a database they can share.
func checkDatabase(db string, nodes int) error {
	if db != "" && db != "sqlite" && !isPostgres(db) {
		return fmt.Errorf("-database %q: want sqlite or a postgres:// URL", db)
	}
	if nodes < 1 || nodes > 8 {
		return fmt.Errorf("-nodes %d: want 1 to 8", nodes)
	}
	if nodes > 1 && !isPostgres(db) {
		return fmt.Errorf("-nodes %d: several nodes share one PostgreSQL database; pass -database with a postgres:// URL", nodes)
	}
	return nil
}

// connect opens one connection to a -database URL, which may carry the
// server's pool settings (pool_max_conns=N): the pool's parser accepts
// them, where pgx.Connect would send them to PostgreSQL as settings.
func connect(ctx context.Context, dbURL string) (*pgx.Conn, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	return pgx.ConnectConfig(ctx, cfg.ConnConfig)
}

// pgSchema is a fresh schema for one scenario's server on the PostgreSQL
// database at base, so that no row inherits another's data or queue.
type pgSchema struct {
	base, name string
}

func newPGSchema(ctx context.Context, base, dir string) (_ *pgSchema, dbURL, keyFile string, err error) {
	s := &pgSchema{base: base, name: "loadgen_" + strings.ToLower(rand.Text()[:12])}
	conn, err := connect(ctx, base)
	if err != nil {
		return nil, "", "", fmt.Errorf("connect to -database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{s.name}.Sanitize()); err != nil {
		return nil, "", "", fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, "", "", fmt.Errorf("-database: %w", err)
	}
	q := u.Query()
	q.Set("search_path", s.name)
	u.RawQuery = q.Encode()
	keyFile = filepath.Join(dir, "guestpass.key")
	data, err := guestpass.NewKeyFile(rand.Reader)
	if err == nil {
		err = os.WriteFile(keyFile, data, 0o600)
	}
	if err != nil {
		return nil, "", "", fmt.Errorf("key file: %w", err)
	}
	return s, u.String(), keyFile, nil
}

// Drop removes the schema with everything in it.
func (s *pgSchema) Drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, s.base)
	if err != nil {
		return fmt.Errorf("drop schema: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{s.name}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("drop schema: %w", err)
	}
	return nil
}

// analyze updates the planner's statistics of the scenario's schema; a
// no-op on SQLite, whose planner does not cache plans across statements.
func (p *process) analyze(ctx context.Context) error {
	if !isPostgres(p.db) {
		return nil
	}
	conn, err := connect(ctx, p.db)
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// Only the scenario's own tables: a bare ANALYZE would walk every
	// schema of the database, other runs' and tests' included.
	rows, err := conn.Query(ctx, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()`)
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err == nil && len(tables) > 0 {
		_, err = conn.Exec(ctx, "ANALYZE "+strings.Join(tables, ", "))
	}
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/jackc/pgx/v5"
)

// usePostgres points a test server at a fresh schema of the database in
// GUESTPASS_TEST_POSTGRES_URL, with the secret key file PostgreSQL requires.
func usePostgres(tb testing.TB, m *Main) {
	tb.Helper()
	m.Config.Database, m.Config.SecretKeyFile = postgresSchema(tb)
}

// postgresSchema creates a fresh schema of the database in
// GUESTPASS_TEST_POSTGRES_URL, dropped when the test ends, and returns a
// URL that selects it and a new secret key file.
func postgresSchema(tb testing.TB) (dbURL, keyFile string) {
	tb.Helper()
	base := os.Getenv("GUESTPASS_TEST_POSTGRES_URL")
	if base == "" {
		tb.Skip("GUESTPASS_TEST_POSTGRES_URL not set: PostgreSQL tests skipped")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "gp_cmd_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect %s: %v", base, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			_ = c.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	key := filepath.Join(tb.TempDir(), "guestpass.key")
	data, _ := guestpass.NewKeyFile(rand.Reader)
	if err := os.WriteFile(key, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return u.String(), key
}

func TestPostgresNeedsSecretKeyFile(t *testing.T) {
	m := NewMain()
	m.Config.Database = "postgres://127.0.0.1:1/none"
	if _, _, err := m.Config.keyFile(); err == nil {
		t.Fatal("PostgreSQL without --secret-key-file accepted")
	}
}

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// TestPostgresMetrics: /metrics carries the PostgreSQL store's pool and
// group-commit counters, read at each scrape; a SQLite server has none.
func TestPostgresMetrics(t *testing.T) {
	ts := mustStart(t, usePostgres)
	ts.mustInvite(t, ts.mustTenant(t, nil), "partner@fabrikam.example")
	body := scrape(t, ts.URL)
	for _, want := range []string{
		"guestpass_db_connections_max 10\n",
		`guestpass_db_connections{state="acquired"} `,
		`guestpass_db_connections{state="idle"} `,
		"guestpass_db_acquire_waits_total ",
		"guestpass_db_acquire_wait_seconds_total ",
		"guestpass_db_group_commits_total ",
		"guestpass_db_grouped_writes_total ",
		"guestpass_db_regrouped_writes_total 0\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// The invitation alone took connections: the counter moves.
	_, rest, _ := strings.Cut(body, "\nguestpass_db_acquires_total ")
	line, _, _ := strings.Cut(rest, "\n")
	if n, err := strconv.ParseFloat(line, 64); err != nil || n < 1 {
		t.Errorf("guestpass_db_acquires_total %q, want a count of at least 1", line)
	}
	if sqlite := scrape(t, mustStart(t, nil).URL); strings.Contains(sqlite, "guestpass_db_") {
		t.Error("a SQLite server exports PostgreSQL pool metrics")
	}
}

func scrape(tb testing.TB, base string) string {
	tb.Helper()
	r, err := http.Get(base + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil || r.StatusCode != http.StatusOK {
		tb.Fatalf("GET /metrics: %d %v", r.StatusCode, err)
	}
	return string(b)
}

package postgres

import (
	"context"
	"crypto/rand"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/guestpass/guestpass"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// testPool is a small pool on a fresh schema of the test database, dropped
// when the test ends.
func testPool(tb testing.TB) (*pgxpool.Pool, string) {
	tb.Helper()
	url := os.Getenv("GUESTPASS_TEST_POSTGRES_URL")
	if url == "" {
		tb.Skip("GUESTPASS_TEST_POSTGRES_URL not set: PostgreSQL tests skipped")
	}
	schema := "gp_test_" + rand.Text()[:12]
	cfg, err := poolConfig(url, Options{MaxConns: 2, Schema: schema})
	if err != nil {
		tb.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(tb.Context(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_, err := pool.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
		pool.Close()
		if err != nil {
			tb.Error(err)
		}
	})
	return pool, schema
}

func versions(tb testing.TB, pool *pgxpool.Pool) []int {
	tb.Helper()
	rows, err := pool.Query(tb.Context(), `SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// migratePool runs migrate the way Open does.
func migratePool(tb testing.TB, pool *pgxpool.Pool, schema string, ms []migration) error {
	tb.Helper()
	return lockedMigrate(tb.Context(), pool, schema, func(conn *pgx.Conn) error {
		return migrate(tb.Context(), conn, schema, ms)
	})
}

func TestMigrate(t *testing.T) {
	ms := []migration{
		{Version: 1, Name: "one", SQL: `CREATE TABLE a (x integer); CREATE TABLE b (x integer);`},
		{Version: 2, Name: "two", SQL: `CREATE TABLE c (x integer);`},
	}
	t.Run("AppliesOnceInOrder", func(t *testing.T) {
		pool, schema := testPool(t)
		for range 2 {
			if err := migratePool(t, pool, schema, ms); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff([]int{1, 2}, versions(t, pool)); diff != "" {
			t.Fatal(diff)
		}
	})
	t.Run("FailureKeepsLastGoodVersion", func(t *testing.T) {
		pool, schema := testPool(t)
		bad := append(ms[:1:1], migration{Version: 2, Name: "bad", SQL: `CREATE TABLE d (x integer); NOT SQL`})
		if err := migratePool(t, pool, schema, bad); err == nil {
			t.Fatal("no error")
		}
		if diff := cmp.Diff([]int{1}, versions(t, pool)); diff != "" {
			t.Fatal(diff)
		}
		if _, err := pool.Exec(t.Context(), `SELECT * FROM d`); err == nil {
			t.Fatal("half-applied migration left table d")
		}
	})
	t.Run("NewerDatabaseRefused", func(t *testing.T) {
		pool, schema := testPool(t)
		if err := migratePool(t, pool, schema, ms); err != nil {
			t.Fatal(err)
		}
		if err := migratePool(t, pool, schema, ms[:1]); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("LockIsReleased", func(t *testing.T) {
		pool, schema := testPool(t)
		for range 2 { // the second would wait forever for a held lock
			if err := migratePool(t, pool, schema, nil); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("CancelledContextFails", func(t *testing.T) {
		pool, schema := testPool(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := lockedMigrate(ctx, pool, schema, func(*pgx.Conn) error { return nil })
		if err == nil {
			t.Fatal("no error")
		}
	})
}

// TestLoadMigrations checks this store's embedded files; the loader's own
// rules are tested in internal/storeutil.
func TestLoadMigrations(t *testing.T) {
	t.Run("EmbeddedLoad", func(t *testing.T) {
		ms, err := loadMigrations(migrationFS)
		if err != nil || len(ms) == 0 {
			t.Fatalf("%d migrations, error %v", len(ms), err)
		}
	})
}

// TestMigrationKeepsTenantsMFAMethods: a tenant made before migration 0051
// lets its guests use every kind of second factor, as it did.
func TestMigrationKeepsTenantsMFAMethods(t *testing.T) {
	pool, schema := testPool(t)
	all, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	var before []migration
	for _, m := range all {
		if m.Version < 51 {
			before = append(before, m)
		}
	}
	if err := migratePool(t, pool, schema, before); err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(t.Context(), `INSERT INTO tenants (id, display_name, verified_domains, email_otp,
		code_lifetime, session_lifetime, invitation_lifetime, invitation_quota_per_day, require_mfa_for_guests,
		allowed_domains, blocked_domains, created_at, updated_at)
		VALUES ('t1', 'Old', '[]', 'default', 1, 1, 1, 1, true, '[]', '[]', 0, 0)`)
	if err != nil {
		t.Fatal(err)
	}
	if err := migratePool(t, pool, schema, all); err != nil {
		t.Fatal(err)
	}
	tn, err := queries{db: pool}.GetTenant(t.Context(), "t1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(guestpass.AllMFAKinds(), tn.Settings.MFAMethods); diff != "" {
		t.Fatal(diff)
	}
}

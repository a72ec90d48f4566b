package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/guestpass/guestpass"
)

func openWriter(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", dsn(filepath.Join(tb.TempDir(), "m.db"), "journal_mode(WAL)")+"&_txlock=immediate")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tb.Cleanup(func() { db.Close() })
	return db
}

func versions(tb testing.TB, db *sql.DB) []int {
	tb.Helper()
	rows, err := db.QueryContext(tb.Context(), `SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			tb.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestMigrate(t *testing.T) {
	ms := []migration{
		{Version: 1, Name: "one", SQL: `CREATE TABLE a (x INTEGER) STRICT; CREATE TABLE b (x INTEGER) STRICT;`},
		{Version: 2, Name: "two", SQL: `CREATE TABLE c (x INTEGER) STRICT;`},
	}
	t.Run("AppliesOnceInOrder", func(t *testing.T) {
		db := openWriter(t)
		for range 2 {
			if err := migrate(t.Context(), db, ms); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff([]int{1, 2}, versions(t, db)); diff != "" {
			t.Fatal(diff)
		}
	})
	t.Run("FailureKeepsLastGoodVersion", func(t *testing.T) {
		db := openWriter(t)
		bad := append(ms[:1:1], migration{Version: 2, Name: "bad", SQL: `CREATE TABLE d (x INTEGER); NOT SQL`})
		if err := migrate(t.Context(), db, bad); err == nil {
			t.Fatal("no error")
		}
		if diff := cmp.Diff([]int{1}, versions(t, db)); diff != "" {
			t.Fatal(diff)
		}
		if _, err := db.ExecContext(t.Context(), `SELECT * FROM d`); err == nil {
			t.Fatal("half-applied migration left table d")
		}
	})
	t.Run("NewerDatabaseRefused", func(t *testing.T) {
		db := openWriter(t)
		if err := migrate(t.Context(), db, ms); err != nil {
			t.Fatal(err)
		}
		if err := migrate(t.Context(), db, ms[:1]); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("ClosedDatabaseFails", func(t *testing.T) {
		db := openWriter(t)
		db.Close()
		if err := migrate(t.Context(), db, ms); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("ReopenIsIdempotent", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "g.db")
		for range 2 {
			s, err := Open(t.Context(), path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}
		s, err := Open(t.Context(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		all, err := loadMigrations(migrationFS)
		if err != nil {
			t.Fatal(err)
		}
		if got := versions(t, s.r); len(got) != len(all) {
			t.Fatalf("schema versions %v, want %d", got, len(all))
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
	db := openWriter(t)
	if err := migrate(t.Context(), db, before); err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(t.Context(), `INSERT INTO tenants (id, display_name, verified_domains, email_otp,
		code_lifetime, session_lifetime, invitation_lifetime, invitation_quota_per_day, require_mfa_for_guests,
		allowed_domains, blocked_domains, created_at, updated_at)
		VALUES ('t1', 'Old', '[]', 'default', 1, 1, 1, 1, 1, '[]', '[]', 0, 0)`)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(t.Context(), db, all); err != nil {
		t.Fatal(err)
	}
	tn, err := queries{rd: db, wr: db}.GetTenant(t.Context(), "t1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(guestpass.AllMFAKinds(), tn.Settings.MFAMethods); diff != "" {
		t.Fatal(diff)
	}
}

package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

func pragma(tb testing.TB, db *sql.DB, name string) string {
	tb.Helper()
	var v string
	if err := db.QueryRowContext(tb.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestPools(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "p.db"), Options{ReadConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, c := range []struct {
		db           *sql.DB
		name, pragma string
		want         string
	}{
		{s.w, "Writer", "journal_mode", "wal"},
		{s.w, "Writer", "synchronous", "1"},
		{s.w, "Writer", "foreign_keys", "1"},
		{s.w, "Writer", "busy_timeout", "5000"},
		{s.w, "Writer", "query_only", "0"},
		{s.r, "Reader", "busy_timeout", "5000"},
		{s.r, "Reader", "query_only", "1"},
	} {
		t.Run(c.name+"_"+c.pragma, func(t *testing.T) {
			if got := pragma(t, c.db, c.pragma); got != c.want {
				t.Fatalf("PRAGMA %s = %s, want %s", c.pragma, got, c.want)
			}
		})
	}
	t.Run("ReaderRejectsWrites", func(t *testing.T) {
		if _, err := s.r.ExecContext(t.Context(), `INSERT INTO locks (key, locked_until) VALUES ('k', 1)`); err == nil {
			t.Fatal("reader wrote")
		}
	})
	t.Run("ReadPoolSize", func(t *testing.T) {
		if got := s.r.Stats().MaxOpenConnections; got != 2 {
			t.Fatalf("max open %d", got)
		}
		if got := s.w.Stats().MaxOpenConnections; got != 1 {
			t.Fatalf("writer max open %d", got)
		}
	})
}

func TestBadInterval(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "p.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, _, err := s.TakeToken(t.Context(), "k", time.Now(), 0, 5); err == nil {
		t.Error("TakeToken accepted interval 0")
	}
	if err := s.ReturnToken(t.Context(), "k", -time.Second); err == nil {
		t.Error("ReturnToken accepted a negative interval")
	}
}

package sqlite_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/queue"
	"github.com/guestpass/guestpass/sqlite"
	"github.com/guestpass/guestpass/storetest"
)

// testOptions make the queue deliver and retry within milliseconds.
func testOptions() sqlite.Options {
	return sqlite.Options{Queue: queue.Config{
		RetryBase:         time.Millisecond,
		RetryMax:          5 * time.Millisecond,
		FetchPollInterval: 10 * time.Millisecond,
		StopTimeout:       time.Second,
		Logger:            slog.New(slog.DiscardHandler),
	}}
}

func mustOpen(tb testing.TB, path string) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(tb.Context(), path, testOptions())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

func newStore(t *testing.T) guestpass.Store {
	return mustOpen(t, filepath.Join(t.TempDir(), "guestpass.db"))
}

// TestContract gives each behaviour a copy of one freshly migrated, empty
// database: migrating costs most of a second under -race, reopening little.
func TestContract(t *testing.T) {
	template := filepath.Join(t.TempDir(), "template.db")
	s, err := sqlite.Open(t.Context(), template, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	storetest.Run(t, func(t *testing.T) guestpass.Store {
		path := filepath.Join(t.TempDir(), "guestpass.db")
		copyFile(t, template, path)
		return mustOpen(t, path)
	})
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

func TestOpen(t *testing.T) {
	t.Run("ReopenKeepsData", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "guestpass.db")
		s, err := sqlite.Open(t.Context(), path, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		tn := &guestpass.Tenant{ID: "t1", DisplayName: "Contoso", CreatedAt: time.Unix(1, 0)}
		if err := s.CreateTenant(t.Context(), tn); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := mustOpen(t, path).GetTenant(t.Context(), "t1")
		if err != nil {
			t.Fatal(err)
		}
		if got.DisplayName != "Contoso" {
			t.Fatalf("tenant %+v", got)
		}
	})
	t.Run("CreatesMissingFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "new.db")
		mustOpen(t, path)
		if _, err := os.Stat(path); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("PathNeedsEscaping", func(t *testing.T) {
		s := mustOpen(t, filepath.Join(t.TempDir(), "a b?c#d%e.db"))
		if err := s.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
	for name, path := range map[string]string{"Empty": "", "Memory": ":memory:", "URI": "file:x.db"} {
		t.Run(name+"PathRejected", func(t *testing.T) {
			if _, err := sqlite.Open(t.Context(), path, sqlite.Options{}); err == nil {
				t.Fatal("no error")
			}
		})
	}
	t.Run("MissingDirectoryIsUnavailable", func(t *testing.T) {
		_, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "no", "such", "x.db"), sqlite.Options{})
		if !errors.Is(err, guestpass.ErrUnavailable) {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("NotADatabaseFails", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "junk.db")
		if err := os.WriteFile(path, []byte("this is not an sqlite database, not at all, no"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := sqlite.Open(t.Context(), path, sqlite.Options{}); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("BadQueueConfigFails", func(t *testing.T) {
		opts := sqlite.Options{Queue: queue.Config{Workers: -1}}
		if _, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"), opts); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestClosed(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for name, err := range map[string]error{
		"Ping":   s.Ping(t.Context()),
		"Read":   second(s.GetTenant(t.Context(), "t1")),
		"Write":  s.CreateTenant(t.Context(), &guestpass.Tenant{ID: "t1"}),
		"Update": s.Update(t.Context(), func(guestpass.Tx) error { return nil }),
		"Counts": second(s.MailJobCounts(t.Context())),
	} {
		t.Run(name+"IsUnavailable", func(t *testing.T) {
			if !errors.Is(err, guestpass.ErrUnavailable) {
				t.Fatalf("error %v", err)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

func TestCancelledContext(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.CreateTenant(ctx, &guestpass.Tenant{ID: "t1"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
}

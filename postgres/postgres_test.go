package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/postgres"
	"github.com/guestpass/guestpass/queue"
	"github.com/guestpass/guestpass/storetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const urlEnv = "GUESTPASS_TEST_POSTGRES_URL"

// testURL is the test database, or skips the test when none is set.
func testURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv(urlEnv)
	if url == "" {
		tb.Skip(urlEnv + " not set: PostgreSQL tests skipped")
	}
	return url
}

// newSchema names a fresh schema and drops it, with everything in it, when
// the test ends (after the stores registered later are closed).
func newSchema(tb testing.TB) string {
	tb.Helper()
	url := testURL(tb)
	schema := "gp_test_" + rand.Text()[:12]
	tb.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			tb.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			tb.Error(err)
		}
	})
	return schema
}

// testOptions make the queue deliver and retry within milliseconds.
func testOptions(schema string) postgres.Options {
	return postgres.Options{MaxConns: 4, Schema: schema, Queue: queue.Config{
		RetryBase:         time.Millisecond,
		RetryMax:          5 * time.Millisecond,
		FetchPollInterval: 10 * time.Millisecond,
		StopTimeout:       time.Second,
		Logger:            slog.New(slog.DiscardHandler),
	}}
}

func mustOpen(tb testing.TB, schema string) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(tb.Context(), testURL(tb), testOptions(schema))
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
	return mustOpen(t, newSchema(t))
}

func TestContract(t *testing.T) {
	testURL(t)
	storetest.Run(t, newStore)
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	schema := newSchema(t)
	const nodes = 3
	stores := make([]*postgres.Store, nodes)
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() {
			stores[i], errs[i] = postgres.Open(t.Context(), testURL(t), testOptions(schema))
		})
	}
	wg.Wait()
	for i := range nodes {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	v, err := stores[0].SchemaVersion(t.Context())
	if err != nil || v != latestMigration(t) {
		t.Fatalf("schema version %d, %v", v, err)
	}
	// Each node sees the others' rows: one schema, not three.
	tn := &guestpass.Tenant{ID: "t1", DisplayName: "Contoso", CreatedAt: time.Unix(1, 0)}
	if err := stores[1].CreateTenant(t.Context(), tn); err != nil {
		t.Fatal(err)
	}
	if _, err := stores[2].GetTenant(t.Context(), "t1"); err != nil {
		t.Fatal(err)
	}
}

func TestReopenKeepsSchemaVersion(t *testing.T) {
	schema := newSchema(t)
	s := mustOpen(t, schema)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	v, err := mustOpen(t, schema).SchemaVersion(t.Context())
	if err != nil || v != latestMigration(t) {
		t.Fatalf("schema version %d, %v", v, err)
	}
	t.Run("RiverTablesInSchema", func(t *testing.T) {
		conn, err := pgx.Connect(t.Context(), testURL(t))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var n int
		err = conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_tables
			WHERE schemaname = $1 AND tablename IN ('river_job', 'tenants')`, schema).Scan(&n)
		if err != nil || n != 2 {
			t.Fatalf("%d of river_job and tenants in %s, %v", n, schema, err)
		}
		// River's indexes for finding jobs by args or metadata are dropped
		// (queue.UnusedIndexes); the one its fetch reads is kept.
		rows, err := conn.Query(t.Context(), `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'river_job'`, schema)
		if err != nil {
			t.Fatal(err)
		}
		indexes, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || !slices.Contains(indexes, "river_job_prioritized_fetching_index") ||
			slices.ContainsFunc(indexes, func(n string) bool { return slices.Contains(queue.UnusedIndexes, n) }) {
			t.Fatalf("river_job indexes %v (%v), want the fetching index and none of %v", indexes, err, queue.UnusedIndexes)
		}
	})
}

// handlerFunc delivers mail jobs to a channel.
type handlerFunc func(ctx context.Context, job guestpass.MailJob, attempt, maxAttempts int) error

func (f handlerFunc) HandleMail(ctx context.Context, job guestpass.MailJob, attempt, maxAttempts int) error {
	return f(ctx, job, attempt, maxAttempts)
}

func startQueue(tb testing.TB, s *postgres.Store) <-chan guestpass.MailJob {
	tb.Helper()
	got := make(chan guestpass.MailJob, 10)
	h := handlerFunc(func(_ context.Context, job guestpass.MailJob, _, _ int) error {
		got <- job
		return nil
	})
	if err := s.StartMailQueue(tb.Context(), h); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.StopMailQueue(context.Background()); err != nil {
			tb.Error(err)
		}
	})
	return got
}

func enqueue(tb testing.TB, s *postgres.Store, id string, fail error) {
	tb.Helper()
	err := s.Update(tb.Context(), func(tx guestpass.Tx) error {
		if err := tx.EnqueueMail(tb.Context(), guestpass.MailJob{ID: id, TenantID: "t1", Type: guestpass.MailCode}); err != nil {
			return err
		}
		return fail
	})
	if !errors.Is(err, fail) {
		tb.Fatalf("update: %v, want %v", err, fail)
	}
}

// receive waits for the next delivery; the bound only turns a hang into a
// failure.
func receive(tb testing.TB, got <-chan guestpass.MailJob) guestpass.MailJob {
	tb.Helper()
	select {
	case job := <-got:
		return job
	case <-time.After(30 * time.Second):
		tb.Fatal("no mail delivered")
	}
	return guestpass.MailJob{}
}

func TestMailQueue(t *testing.T) {
	t.Run("CommittedJobIsDelivered", func(t *testing.T) {
		s := newStore(t).(*postgres.Store)
		enqueue(t, s, "m1", nil)
		if job := receive(t, startQueue(t, s)); job.ID != "m1" {
			t.Fatalf("delivered %+v", job)
		}
	})
	t.Run("RolledBackJobIsNotDelivered", func(t *testing.T) {
		s := newStore(t).(*postgres.Store)
		enqueue(t, s, "lost", errors.New("boom"))
		// A job committed after the rolled-back one is delivered first
		// and alone: the queue is FIFO, so "lost" would have come before.
		enqueue(t, s, "kept", nil)
		got := startQueue(t, s)
		if job := receive(t, got); job.ID != "kept" {
			t.Fatalf("delivered %+v", job)
		}
		counts, err := s.MailJobCounts(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if total := counts["available"] + counts["running"] + counts["completed"]; total != 1 {
			t.Fatalf("mail jobs %v", counts)
		}
	})
}

func TestOpenFailures(t *testing.T) {
	t.Run("BadURLFails", func(t *testing.T) {
		_, err := postgres.Open(t.Context(), "postgres://u:secret@host:notaport/db", postgres.Options{})
		if err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("NegativeMaxConnsFails", func(t *testing.T) {
		if _, err := postgres.Open(t.Context(), "postgres://127.0.0.1/db", postgres.Options{MaxConns: -1}); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("BadQueueConfigFails", func(t *testing.T) {
		opts := postgres.Options{Queue: queue.Config{Workers: -1}}
		if _, err := postgres.Open(t.Context(), "postgres://127.0.0.1/db", opts); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("NoServerIsUnavailable", func(t *testing.T) {
		// Port 1 on loopback: nothing listens, so the connect is refused.
		_, err := postgres.Open(t.Context(), "postgres://postgres@127.0.0.1:1/db?connect_timeout=5", postgres.Options{})
		if !errors.Is(err, guestpass.ErrUnavailable) {
			t.Fatalf("error %v", err)
		}
	})
}

func TestClosed(t *testing.T) {
	s, err := postgres.Open(t.Context(), testURL(t), testOptions(newSchema(t)))
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
		"Ping":    s.Ping(t.Context()),
		"Read":    second(s.GetTenant(t.Context(), "t1")),
		"Write":   s.CreateTenant(t.Context(), &guestpass.Tenant{ID: "t1"}),
		"Update":  s.Update(t.Context(), func(guestpass.Tx) error { return nil }),
		"Counts":  second(s.MailJobCounts(t.Context())),
		"Version": second(s.SchemaVersion(t.Context())),
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

// TestUpdateRetries feeds Update the server error PostgreSQL raises when
// it aborts a transaction for a concurrent one: provoking a real one would
// need a race.
func TestUpdateRetries(t *testing.T) {
	s := newStore(t)
	for name, code := range map[string]string{"SerializationFailure": "40001", "Deadlock": "40P01"} {
		t.Run(name+"IsRetried", func(t *testing.T) {
			calls := 0
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				if calls++; calls == 1 {
					return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code})
				}
				return nil
			})
			if err != nil || calls != 2 {
				t.Fatalf("update: %v after %d calls", err, calls)
			}
		})
	}
	t.Run("GivesUpAfterThreeAttempts", func(t *testing.T) {
		calls := 0
		err := s.Update(t.Context(), func(tx guestpass.Tx) error {
			calls++
			return &pgconn.PgError{Code: "40001"}
		})
		if err == nil || calls != 3 {
			t.Fatalf("update: %v after %d calls", err, calls)
		}
	})
	t.Run("OtherErrorIsNotRetried", func(t *testing.T) {
		calls := 0
		boom := errors.New("boom")
		err := s.Update(t.Context(), func(tx guestpass.Tx) error {
			calls++
			return boom
		})
		if !errors.Is(err, boom) || calls != 1 {
			t.Fatalf("update: %v after %d calls", err, calls)
		}
	})
}

// latestMigration is the version of the newest migration file.
func latestMigration(tb testing.TB) int {
	tb.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		tb.Fatalf("migrations: %v", err)
	}
	slices.Sort(files)
	v, err := strconv.Atoi(strings.SplitN(filepath.Base(files[len(files)-1]), "_", 2)[0])
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

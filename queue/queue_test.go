package queue_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/queue"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	_ "modernc.org/sqlite"
)

// fastConfig delivers and retries within milliseconds so tests wait little.
func fastConfig() queue.Config {
	return queue.Config{
		RetryBase:         time.Millisecond,
		RetryMax:          5 * time.Millisecond,
		FetchPollInterval: 10 * time.Millisecond,
		FetchCooldown:     time.Millisecond,
		StopTimeout:       time.Second,
		Logger:            slog.New(slog.DiscardHandler),
	}
}

type harness struct {
	db *sql.DB
	q  *queue.Queue[*sql.Tx]
}

func newHarness(t *testing.T, cfg queue.Config) *harness {
	t.Helper()
	path := filepath.Join(t.TempDir(), "queue.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	q, err := queue.New(riversqlite.New(db), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := q.Stop(context.Background()); err != nil {
			t.Error(err)
		}
		db.Close()
	})
	if err := q.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return &harness{db: db, q: q}
}

// insert enqueues job in a transaction that commits when commit is true.
func (h *harness) insert(t *testing.T, job guestpass.MailJob, commit bool) {
	t.Helper()
	tx, err := h.db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.q.InsertTx(t.Context(), tx, job); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if !commit {
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) states(t *testing.T) map[string]int {
	t.Helper()
	rows, err := h.db.QueryContext(t.Context(), "SELECT state, count(*) FROM river_job GROUP BY state")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		got[s] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// waitStates polls until the job states are want: River settles a job
// asynchronously after the handler returns.
func (h *harness) waitStates(t *testing.T, want map[string]int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := h.states(t)
		if cmp.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job states: %s", cmp.Diff(want, got))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type call struct {
	Job              guestpass.MailJob
	Attempt, Maximum int
}

// recorder is a MailHandler that reports each call and fails the first
// failures calls with err.
type recorder struct {
	calls    chan call
	mu       sync.Mutex
	failures int
	err      error
}

func newRecorder(failures int, err error) *recorder {
	return &recorder{calls: make(chan call, 100), failures: failures, err: err}
}

func (r *recorder) HandleMail(_ context.Context, job guestpass.MailJob, attempt, maxAttempts int) error {
	r.calls <- call{job, attempt, maxAttempts}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failures > 0 {
		r.failures--
		return r.err
	}
	return nil
}

func (r *recorder) next(t *testing.T) call {
	t.Helper()
	select {
	case c := <-r.calls:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
		return call{}
	}
}

func testJob(id string) guestpass.MailJob {
	return guestpass.MailJob{
		ID:           id,
		TenantID:     "tenant-1",
		Type:         guestpass.MailInvitation,
		InvitationID: "inv-1",
		NotAfter:     time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		Sealed:       []byte{1, 2, 3},
	}
}

func TestDelivery(t *testing.T) {
	t.Run("JobInsertedBeforeStartIsDeliveredAfterStart", func(t *testing.T) {
		h := newHarness(t, fastConfig())
		h.insert(t, testJob("m1"), true)
		if diff := cmp.Diff(map[string]int{"available": 1}, h.states(t)); diff != "" {
			t.Fatalf("before start: %s", diff)
		}
		rec := newRecorder(0, nil)
		if err := h.q.Start(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		got := rec.next(t)
		want := call{testJob("m1"), 1, queue.DefaultMaxAttempts}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("call: %s", diff)
		}
		h.waitStates(t, map[string]int{"completed": 1})
	})
	t.Run("RolledBackInsertIsNeverDelivered", func(t *testing.T) {
		h := newHarness(t, fastConfig())
		h.insert(t, testJob("gone"), false)
		h.insert(t, testJob("kept"), true)
		rec := newRecorder(0, nil)
		if err := h.q.Start(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		if got := rec.next(t); got.Job.ID != "kept" {
			t.Fatalf("delivered %q", got.Job.ID)
		}
		h.waitStates(t, map[string]int{"completed": 1})
	})
}

func TestRetry(t *testing.T) {
	t.Run("HandlerErrorIsRetried", func(t *testing.T) {
		h := newHarness(t, fastConfig())
		rec := newRecorder(2, errors.New("smtp down"))
		if err := h.q.Start(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		h.insert(t, testJob("m1"), true)
		for want := 1; want <= 3; want++ {
			if got := rec.next(t); got.Attempt != want {
				t.Fatalf("attempt %d, want %d", got.Attempt, want)
			}
		}
		h.waitStates(t, map[string]int{"completed": 1})
	})
	t.Run("LastAttemptThenDiscarded", func(t *testing.T) {
		cfg := fastConfig()
		cfg.MaxAttempts = 3
		h := newHarness(t, cfg)
		rec := newRecorder(100, errors.New("smtp down"))
		if err := h.q.Start(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		h.insert(t, testJob("m1"), true)
		for want := 1; want <= 3; want++ {
			got := rec.next(t)
			if got.Attempt != want || got.Maximum != 3 {
				t.Fatalf("attempt %d/%d, want %d/3", got.Attempt, got.Maximum, want)
			}
		}
		h.waitStates(t, map[string]int{"discarded": 1})
	})
	t.Run("PermanentErrorIsNotRetried", func(t *testing.T) {
		h := newHarness(t, fastConfig())
		perm := fmt.Errorf("550 no such user: %w", guestpass.ErrMailPermanent)
		rec := newRecorder(100, perm)
		if err := h.q.Start(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		h.insert(t, testJob("m1"), true)
		rec.next(t)
		h.waitStates(t, map[string]int{"cancelled": 1})
		if len(rec.calls) != 0 {
			t.Fatal("permanent failure was retried")
		}
	})
}

func TestLifecycle(t *testing.T) {
	t.Run("StopWithoutStartIsNoop", func(t *testing.T) {
		h := newHarness(t, fastConfig())
		if err := h.q.Stop(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("StartWithoutHandlerFails", func(t *testing.T) {
		h := newHarness(t, fastConfig())
		if err := h.q.Start(t.Context(), nil); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("StartAgainReplacesHandler", func(t *testing.T) {
		h := newHarness(t, fastConfig())
		first, second := newRecorder(0, nil), newRecorder(0, nil)
		if err := h.q.Start(t.Context(), first); err != nil {
			t.Fatal(err)
		}
		if err := h.q.Start(t.Context(), second); err != nil {
			t.Fatal(err)
		}
		h.insert(t, testJob("m1"), true)
		second.next(t)
		if len(first.calls) != 0 {
			t.Fatal("old handler called")
		}
	})
	t.Run("RestartAfterStop", func(t *testing.T) {
		h := newHarness(t, fastConfig())
		rec := newRecorder(0, nil)
		if err := h.q.Start(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		if err := h.q.Stop(t.Context()); err != nil {
			t.Fatal(err)
		}
		h.insert(t, testJob("m1"), true)
		if err := h.q.Start(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		rec.next(t)
	})
	t.Run("MigrateIsIdempotent", func(t *testing.T) {
		h := newHarness(t, fastConfig())
		if err := h.q.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFailures(t *testing.T) {
	t.Run("InsertWithoutMigrationFails", func(t *testing.T) {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "q.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.SetMaxOpenConns(1)
		q, err := queue.New(riversqlite.New(db), fastConfig())
		if err != nil {
			t.Fatal(err)
		}
		tx, err := db.BeginTx(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if err := q.InsertTx(t.Context(), tx, testJob("m1")); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("MigrateOnClosedDatabaseFails", func(t *testing.T) {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "q.db"))
		if err != nil {
			t.Fatal(err)
		}
		q, err := queue.New(riversqlite.New(db), fastConfig())
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := q.Migrate(t.Context()); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("StartOnClosedDatabaseFails", func(t *testing.T) {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "q.db"))
		if err != nil {
			t.Fatal(err)
		}
		q, err := queue.New(riversqlite.New(db), fastConfig())
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := q.Start(t.Context(), newRecorder(0, nil)); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("StopWithExpiredContextFails", func(t *testing.T) {
		h := newHarness(t, fastConfig())
		block := make(chan struct{})
		t.Cleanup(func() { close(block) })
		started := make(chan struct{}, 1)
		if err := h.q.Start(t.Context(), blocker{started, block}); err != nil {
			t.Fatal(err)
		}
		h.insert(t, testJob("m1"), true)
		<-started
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := h.q.Stop(ctx); err == nil {
			t.Fatal("no error")
		}
	})
}

// blocker is a handler that holds its delivery until release is closed.
type blocker struct {
	started chan<- struct{}
	release <-chan struct{}
}

func (b blocker) HandleMail(ctx context.Context, _ guestpass.MailJob, _, _ int) error {
	b.started <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return nil
}

func TestConfig(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for name, cfg := range map[string]queue.Config{
		"NegativeDuration":       {RetryBase: -1},
		"NegativeCount":          {Workers: -1},
		"RescueBeforeJobTimeout": {JobTimeout: time.Minute, RescueStuckJobsAfter: time.Second},
	} {
		t.Run(name+"Rejected", func(t *testing.T) {
			if _, err := queue.New(riversqlite.New(db), cfg); err == nil {
				t.Fatal("no error")
			}
		})
	}
	t.Run("ZeroConfigIsValid", func(t *testing.T) {
		if _, err := queue.New(riversqlite.New(db), queue.Config{}); err != nil {
			t.Fatal(err)
		}
	})
}

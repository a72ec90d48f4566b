package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/postgres"
	"github.com/guestpass/guestpass/queue"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// The store writes River's job row with its own INSERT (tx.EnqueueMail).
// The row must be the one River's InsertTx writes, column for column, so
// that an upgrade of River that changes its row fails here rather than in
// delivery.
func TestMailJobRowIsRiversRow(t *testing.T) {
	schema := newSchema(t)
	s := mustOpen(t, schema)
	job := guestpass.MailJob{ID: "m1", TenantID: "t1", Type: guestpass.MailCode, InvitationID: "i1",
		NotAfter: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC), Sealed: []byte("sealed")}
	if err := s.Update(t.Context(), func(tx guestpass.Tx) error { return tx.EnqueueMail(t.Context(), job) }); err != nil {
		t.Fatal(err)
	}

	cfg, err := pgxpool.ParseConfig(testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	river, err := queue.New(riverpgxv5.New(pool), testOptions(schema).Queue)
	if err != nil {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(t.Context(), pool, func(tx pgx.Tx) error { return river.InsertTx(t.Context(), tx, job) })
	if err != nil {
		t.Fatal(err)
	}

	// Every column but the id; the times as whether they are the
	// transaction's time, which both inserts take from now().
	rows, err := pool.Query(t.Context(), `SELECT (to_jsonb(j) - 'id' - 'created_at' - 'scheduled_at')::text,
		created_at = scheduled_at AND created_at <= now() FROM river_job j ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var cols string
		var now bool
		err := r.Scan(&cols, &now)
		return fmt.Sprintf("%s now=%t", cols, now), err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d job rows, want 2", len(got))
	}
	if got[0] != got[1] {
		t.Fatalf("the store's row differs from River's:\nstore: %s\nriver: %s", got[0], got[1])
	}
}

// The store's insert notifies River as River's own insert does: with
// polling every ten minutes, only the notification can bring jobs to the
// workers within the bound. A start's first fetch may take a job
// inserted before it, so three deliveries are required.
func TestMailJobWakesWorkers(t *testing.T) {
	opts := testOptions(newSchema(t))
	opts.Queue.FetchPollInterval = 10 * time.Minute
	s, err := postgres.Open(t.Context(), testURL(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	got := startQueue(t, s)
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for n, delivered := 0, 0; delivered < 3; {
		select {
		case <-got:
			delivered++
		case <-tick.C:
			enqueue(t, s, fmt.Sprintf("m%d", n), nil)
			n++
		case <-deadline:
			t.Fatalf("%d of 3 mails delivered: the workers were not woken", delivered)
		}
	}
}

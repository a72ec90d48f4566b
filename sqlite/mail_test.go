package sqlite_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/sqlite"
)

type delivery struct {
	Job     guestpass.MailJob
	Attempt int
}

// recorder is a MailHandler that reports each delivery and fails the first
// failures of them.
type recorder struct {
	got      chan delivery
	mu       sync.Mutex
	failures int
}

func newRecorder(failures int) *recorder {
	return &recorder{got: make(chan delivery, 100), failures: failures}
}

func (r *recorder) HandleMail(_ context.Context, job guestpass.MailJob, attempt, _ int) error {
	r.got <- delivery{job, attempt}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failures > 0 {
		r.failures--
		return errors.New("relay unreachable")
	}
	return nil
}

func (r *recorder) next(tb testing.TB) delivery {
	tb.Helper()
	select {
	case d := <-r.got:
		return d
	case <-time.After(10 * time.Second):
		tb.Fatal("no delivery")
		return delivery{}
	}
}

func enqueue(tb testing.TB, s *sqlite.Store, id string, fail error) error {
	tb.Helper()
	return s.Update(tb.Context(), func(tx guestpass.Tx) error {
		err := tx.EnqueueMail(tb.Context(), guestpass.MailJob{
			ID: id, TenantID: "t1", Type: guestpass.MailCode,
			NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Sealed: []byte{7},
		})
		if err != nil {
			return err
		}
		return fail
	})
}

// waitCounts polls until the queue settles: River records a job's outcome
// after the handler returns.
func waitCounts(tb testing.TB, s *sqlite.Store, want map[string]int) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := s.MailJobCounts(tb.Context())
		if err != nil {
			tb.Fatal(err)
		}
		if cmp.Equal(want, got) {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("mail jobs (-want +got):\n%s", cmp.Diff(want, got))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestMailQueue(t *testing.T) {
	t.Run("CommittedJobReachesHandlerStartedLater", func(t *testing.T) {
		s := newStore(t).(*sqlite.Store)
		if err := enqueue(t, s, "m1", nil); err != nil {
			t.Fatal(err)
		}
		waitCounts(t, s, map[string]int{"available": 1})
		rec := newRecorder(0)
		if err := s.StartMailQueue(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		if d := rec.next(t); d.Job.ID != "m1" || d.Job.Sealed[0] != 7 || d.Attempt != 1 {
			t.Fatalf("delivery %+v", d)
		}
		waitCounts(t, s, map[string]int{"completed": 1})
	})
	t.Run("HandlerErrorIsRetried", func(t *testing.T) {
		s := newStore(t).(*sqlite.Store)
		rec := newRecorder(1)
		if err := s.StartMailQueue(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		if err := enqueue(t, s, "m1", nil); err != nil {
			t.Fatal(err)
		}
		for want := 1; want <= 2; want++ {
			if d := rec.next(t); d.Attempt != want {
				t.Fatalf("attempt %d, want %d", d.Attempt, want)
			}
		}
		waitCounts(t, s, map[string]int{"completed": 1})
	})
	t.Run("RolledBackUpdateDeliversNothing", func(t *testing.T) {
		s := newStore(t).(*sqlite.Store)
		boom := errors.New("boom")
		if err := enqueue(t, s, "gone", boom); !errors.Is(err, boom) {
			t.Fatalf("Update error %v", err)
		}
		if err := enqueue(t, s, "kept", nil); err != nil {
			t.Fatal(err)
		}
		rec := newRecorder(0)
		if err := s.StartMailQueue(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		if d := rec.next(t); d.Job.ID != "kept" {
			t.Fatalf("delivered %q", d.Job.ID)
		}
		waitCounts(t, s, map[string]int{"completed": 1})
	})
	t.Run("StopThenCloseStopsOnce", func(t *testing.T) {
		s := newStore(t).(*sqlite.Store)
		if err := s.StartMailQueue(t.Context(), newRecorder(0)); err != nil {
			t.Fatal(err)
		}
		if err := s.StopMailQueue(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("EnqueueOnFinishedTxFails", func(t *testing.T) {
		s := newStore(t).(*sqlite.Store)
		var leaked guestpass.Tx
		if err := s.Update(t.Context(), func(tx guestpass.Tx) error { leaked = tx; return nil }); err != nil {
			t.Fatal(err)
		}
		if err := leaked.EnqueueMail(t.Context(), guestpass.MailJob{ID: "late"}); err == nil {
			t.Fatal("no error")
		}
	})
}

package queue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/guestpass/guestpass"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

func TestBackoff(t *testing.T) {
	b := backoff{base: time.Second, max: 10 * time.Minute}
	for n, want := range map[int]time.Duration{
		1:    2 * time.Second,
		2:    4 * time.Second,
		9:    512 * time.Second,
		10:   10 * time.Minute,
		1000: 10 * time.Minute,
	} {
		if got := b.delay(n); got != want {
			t.Errorf("delay(%d) = %s, want %s", n, got, want)
		}
	}
	t.Run("NextRetryCountsPreviousErrors", func(t *testing.T) {
		now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		b.now = func() time.Time { return now }
		job := &rivertype.JobRow{Errors: make([]rivertype.AttemptError, 2)}
		if got, want := b.NextRetry(job), now.Add(8*time.Second); !got.Equal(want) {
			t.Fatalf("NextRetry = %s, want %s", got, want)
		}
	})
}

func TestDefaults(t *testing.T) {
	got, err := Config{FetchPollInterval: 10 * time.Millisecond, JobTimeout: 2 * time.Minute}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	got.Logger = nil
	want := Config{
		MaxAttempts:          DefaultMaxAttempts,
		RetryBase:            DefaultRetryBase,
		RetryMax:             DefaultRetryMax,
		FetchPollInterval:    10 * time.Millisecond,
		FetchCooldown:        10 * time.Millisecond,
		JobTimeout:           2 * time.Minute,
		RescueStuckJobsAfter: 2 * time.Minute,
		StopTimeout:          DefaultStopTimeout,
		Workers:              DefaultWorkers,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatal(diff)
	}
}

func TestLoggerDropsBelowWarn(t *testing.T) {
	var buf bytes.Buffer
	cfg, err := Config{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger.Info("chatty")
	cfg.Logger.With("k", "v").WithGroup("g").Warn("loud")
	if bytes.Contains(buf.Bytes(), []byte("chatty")) || !bytes.Contains(buf.Bytes(), []byte("loud")) {
		t.Fatalf("log: %q", buf.String())
	}
}

func TestWorker(t *testing.T) {
	job := &river.Job[guestpass.MailJob]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 3}}
	t.Run("NoHandlerIsRetried", func(t *testing.T) {
		w := &worker{slot: &handlerSlot{}}
		if err := w.Work(t.Context(), job); !errors.Is(err, errNoHandler) {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("PermanentFailureCancels", func(t *testing.T) {
		slot := &handlerSlot{}
		slot.set(handlerFunc(func(context.Context, guestpass.MailJob, int, int) error {
			return fmt.Errorf("550: %w", guestpass.ErrMailPermanent)
		}))
		var cancel *rivertype.JobCancelError
		if err := (&worker{slot: slot}).Work(t.Context(), job); !errors.As(err, &cancel) {
			t.Fatalf("error %v", err)
		}
	})
}

type handlerFunc func(ctx context.Context, job guestpass.MailJob, attempt, maxAttempts int) error

func (f handlerFunc) HandleMail(ctx context.Context, job guestpass.MailJob, attempt, maxAttempts int) error {
	return f(ctx, job, attempt, maxAttempts)
}

package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
)

// Queue inserts mail jobs in a caller's transaction and, once started,
// delivers them through a guestpass.MailHandler. It works insert-only until
// Start: jobs wait in the database for whichever process starts workers.
type Queue[TTx any] struct {
	driver riverdriver.Driver[TTx]
	client *river.Client[TTx]
	logger *slog.Logger
	slot   *handlerSlot
	cfg    Config
	notify *notifyLimiter
}

// New builds a queue on driver. It does not touch the database; call
// Migrate before the first insert.
func New[TTx any](driver riverdriver.Driver[TTx], cfg Config) (*Queue[TTx], error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	slot := &handlerSlot{}
	// River checks at construction that every queue has workers, so the
	// worker exists from the start and forwards to whatever Start installs.
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &worker{slot: slot}); err != nil {
		return nil, fmt.Errorf("queue: add worker: %w", err)
	}
	client, err := river.NewClient(driver, riverConfig(cfg, workers))
	if err != nil {
		return nil, fmt.Errorf("queue: new client: %w", err)
	}
	return &Queue[TTx]{driver: driver, client: client, logger: cfg.Logger, slot: slot, cfg: cfg,
		notify: &notifyLimiter{every: cfg.FetchCooldown}}, nil
}

func riverConfig(cfg Config, workers *river.Workers) *river.Config {
	return &river.Config{
		FetchCooldown:        cfg.FetchCooldown,
		FetchPollInterval:    cfg.FetchPollInterval,
		JobTimeout:           cfg.JobTimeout,
		Logger:               cfg.Logger,
		MaxAttempts:          cfg.MaxAttempts,
		PollOnly:             cfg.PollOnly,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		RescueStuckJobsAfter: cfg.RescueStuckJobsAfter,
		RetryPolicy:          backoff{base: cfg.RetryBase, max: cfg.RetryMax, now: time.Now},
		SoftStopTimeout:      cfg.StopTimeout,
		Workers:              workers,
		ReindexerIndexNames: slices.DeleteFunc(river.ReindexerIndexNamesDefault(), func(name string) bool {
			return slices.Contains(UnusedIndexes, name)
		}),
	}
}

// UnusedIndexes are River's indexes for finding jobs by their args or
// metadata, as River's UI filters do. GuestPass never looks a job up that
// way: its args are one sealed message and its metadata is empty. Every
// version of a job row (inserted, running, completed) adds entries to
// each index, so the PostgreSQL store drops these two after River's
// migrations, and River's reindexer is not asked to rebuild them.
var UnusedIndexes = []string{"river_job_args_index", "river_job_metadata_index"}

// Migrate brings River's tables up to date. It is idempotent.
func (q *Queue[TTx]) Migrate(ctx context.Context) error {
	m, err := rivermigrate.New(q.driver, &rivermigrate.Config{Logger: q.logger})
	if err != nil {
		return fmt.Errorf("queue: migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("queue: migrate: %w", err)
	}
	return nil
}

// InsertTx inserts job in tx: it is delivered only if tx commits.
func (q *Queue[TTx]) InsertTx(ctx context.Context, tx TTx, job guestpass.MailJob) error {
	if _, err := q.client.InsertTx(ctx, tx, job, nil); err != nil {
		return fmt.Errorf("queue: insert: %w", err)
	}
	return nil
}

// Start installs h and starts the workers, which run until Stop or until
// ctx is cancelled (which stops them as Stop does). Calling Start while
// running only replaces the handler.
func (q *Queue[TTx]) Start(ctx context.Context, h guestpass.MailHandler) error {
	if h == nil {
		return errors.New("queue: start: nil handler")
	}
	q.slot.set(h)
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("queue: start: %w", err)
	}
	return nil
}

// Stop stops fetching, lets running deliveries finish for up to
// Config.StopTimeout and waits for them. It does nothing if the queue is
// not running.
func (q *Queue[TTx]) Stop(ctx context.Context) error {
	if err := q.client.Stop(ctx); err != nil {
		return fmt.Errorf("queue: stop: %w", err)
	}
	return nil
}

var errNoHandler = errors.New("queue: no mail handler installed")

type handlerSlot struct {
	mu sync.RWMutex
	h  guestpass.MailHandler
}

func (s *handlerSlot) set(h guestpass.MailHandler) {
	s.mu.Lock()
	s.h = h
	s.mu.Unlock()
}

func (s *handlerSlot) get() guestpass.MailHandler {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.h
}

type worker struct {
	river.WorkerDefaults[guestpass.MailJob]
	slot *handlerSlot
}

// Work hands the job to the handler. An error means retry, except one
// wrapping guestpass.ErrMailPermanent: retrying cannot fix it, so the job is
// cancelled at once.
func (w *worker) Work(ctx context.Context, job *river.Job[guestpass.MailJob]) error {
	h := w.slot.get()
	if h == nil {
		return errNoHandler
	}
	err := h.HandleMail(ctx, job.Args, job.Attempt, job.MaxAttempts)
	if errors.Is(err, guestpass.ErrMailPermanent) {
		return river.JobCancel(err)
	}
	return err
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/queue"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

var (
	_ guestpass.Store     = (*Store)(nil)
	_ guestpass.MailQueue = (*Store)(nil)
	_ guestpass.Tx        = (*tx)(nil)
)

// Options tune Open. The zero value is ready for production.
type Options struct {
	// MaxConns is the size of the connection pool; 0 means the URL's
	// pool_max_conns, else DefaultMaxConns. River's workers and its LISTEN
	// connection come out of the same pool; the change listener
	// (notify.go) has a connection of its own, outside it.
	MaxConns int
	// Schema, when set, holds our tables and River's: it becomes the
	// search_path of every connection and is created if missing. Default:
	// the server's search_path (normally public).
	Schema string
	// Queue tunes the mail queue.
	Queue queue.Config
	// GroupMax is the most Updates that share one transaction while every
	// lane is busy (group.go); 0 means DefaultGroupMax, 1 turns sharing
	// off.
	GroupMax int
}

// DefaultMaxConns is the pool size when neither Options.MaxConns nor the
// URL's pool_max_conns sets one.
const DefaultMaxConns = 10

// MinMaxConns is the smallest pool that works. No transaction waits for a
// second connection, but two holders are long-lived: River's LISTEN
// connection, and at start the advisory-lock connection of the migration
// while River's migrator takes another.
const MinMaxConns = 2

// updateAttempts is how often Update runs fn when PostgreSQL aborts it for
// a serialization failure or deadlock.
const updateAttempts = 3

// Store is a GuestPass database on PostgreSQL.
type Store struct {
	queries
	pool      *pgxpool.Pool
	q         *queue.Queue[pgx.Tx]
	closeOnce sync.Once
	closeErr  error
	log       *slog.Logger

	// The LISTEN side of the change feed (notify.go), started by the
	// first ChangeSignal.
	listenOnce sync.Once
	signal     chan struct{}
	listenStop context.CancelFunc
	listenDone chan struct{}

	// Group commit (group.go).
	groupMax  int
	groupMu   sync.Mutex
	forming   *group        // the group still taking members
	lanes     chan struct{} // a slot per group transaction running
	shared    atomic.Int64  // groups of two or more committed
	grouped   atomic.Int64  // members of those groups
	regrouped atomic.Int64  // members sent to a second group
}

// Stats is a snapshot of the store's connection pool and group commit,
// for an operator's metrics. Counters count since Open.
type Stats struct {
	MaxConns      int32 // the pool's size (pool_max_conns)
	AcquiredConns int32 // connections in use now
	IdleConns     int32 // connections open and free now
	Acquires      int64 // connections handed out
	// AcquireWaits counts the acquires that found no free connection and
	// waited; AcquireWaitTime is how long all acquires waited in all.
	AcquireWaits    int64
	AcquireWaitTime time.Duration

	GroupCommits     int64 // transactions shared by two or more Updates
	GroupedUpdates   int64 // Updates committed in those transactions
	RegroupedUpdates int64 // Updates run again after their group rolled back
}

// Stats reads the counters now.
func (s *Store) Stats() Stats {
	p := s.pool.Stat()
	return Stats{
		MaxConns: p.MaxConns(), AcquiredConns: p.AcquiredConns(), IdleConns: p.IdleConns(),
		Acquires: p.AcquireCount(), AcquireWaits: p.EmptyAcquireCount(), AcquireWaitTime: p.AcquireDuration(),
		GroupCommits: s.shared.Load(), GroupedUpdates: s.grouped.Load(), RegroupedUpdates: s.regrouped.Load(),
	}
}

// Open connects to the database at url (a libpq URL or DSN), brings our
// schema and River's up to date, and returns the store. Concurrent Opens
// on one database migrate once.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := poolConfig(url, opts)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, dbErr("open", err)
	}
	s, err := open(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func poolConfig(url string, opts Options) (*pgxpool.Config, error) {
	if opts.MaxConns < 0 {
		return nil, fmt.Errorf("postgres: negative MaxConns %d", opts.MaxConns)
	}
	if opts.GroupMax < 0 {
		return nil, fmt.Errorf("postgres: negative GroupMax %d", opts.GroupMax)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The error can quote the URL, password included.
		return nil, errors.New("postgres: cannot parse database URL")
	}
	// The pool is sized explicitly, never by pgx's CPU-count default: from
	// Options, else from pool_max_conns in the URL (operators set it there),
	// else DefaultMaxConns.
	switch {
	case opts.MaxConns > 0:
		cfg.MaxConns = int32(opts.MaxConns)
	case !strings.Contains(url, "pool_max_conns"):
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxConns < MinMaxConns {
		return nil, fmt.Errorf("postgres: a pool of %d connections is too small: River's listener holds one and migrations hold one while River migrates on another, so at least %d are needed", cfg.MaxConns, MinMaxConns)
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{opts.Schema}.Sanitize()
	}
	return cfg, nil
}

func open(ctx context.Context, pool *pgxpool.Pool, opts Options) (*Store, error) {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		return nil, err
	}
	// River finds its tables, and names its notification topics, through
	// search_path, so it needs no schema of its own.
	q, err := queue.New(riverpgxv5.New(pool), opts.Queue)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// The schema the tables are in, however it was chosen (Options.Schema
	// or search_path in the URL), names the change channel and qualifies
	// the indexes dropped.
	var current string
	err = lockedMigrate(ctx, pool, opts.Schema, func(conn *pgx.Conn) error {
		if err := migrate(ctx, conn, opts.Schema, ms); err != nil {
			return err
		}
		if err := q.Migrate(ctx); err != nil {
			return err
		}
		if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&current); err != nil {
			return fmt.Errorf("current schema: %w", err)
		}
		return dropUnusedIndexes(ctx, conn, current)
	})
	if err != nil {
		return nil, dbErr("migrate", err)
	}
	channel := changeChannel(current)
	log := opts.Queue.Logger
	if log == nil {
		log = slog.Default()
	}
	warnWithoutAutovacuum(ctx, pool, log)
	groupMax := opts.GroupMax
	if groupMax == 0 {
		groupMax = DefaultGroupMax
	}
	// Groups hold at most a quarter of the pool, so that reads outside
	// Update, River's workers and its listener always find a connection,
	// and a busy moment makes bigger groups rather than more transactions:
	// PostgreSQL does more per CPU with fewer, larger ones (two lanes of
	// 16 delivered the most mail, with sends as high as any setting tried;
	// docs/benchmarks.md, "Group commit").
	lanes := make(chan struct{}, max(1, pool.Config().MaxConns/4))
	return &Store{queries: queries{db: pool, channel: channel}, pool: pool, q: q, log: log, groupMax: groupMax, lanes: lanes}, nil
}

// dropUnusedIndexes drops River's indexes GuestPass never reads
// (queue.UnusedIndexes). River's migrations create them, so this runs after
// those, on every start; once they are gone it changes nothing.
// The names are qualified with schema, the one River's tables are in, so
// a search_path that goes on to other schemas cannot reach another
// installation's indexes.
func dropUnusedIndexes(ctx context.Context, conn *pgx.Conn, schema string) error {
	names := make([]string, len(queue.UnusedIndexes))
	for i, n := range queue.UnusedIndexes {
		names[i] = pgx.Identifier{schema, n}.Sanitize()
	}
	if _, err := conn.Exec(ctx, `DROP INDEX IF EXISTS `+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("drop unused river indexes: %w", err)
	}
	return nil
}

// warnWithoutAutovacuum tells the operator when the server never analyzes
// tables on its own. pgx prepares every statement, and after five runs
// PostgreSQL may keep a generic plan chosen from the statistics it has;
// for a table never analyzed since it was empty, that plan can be a scan
// (measured: a guest lookup by address walking every guest of the tenant,
// send code at a third of its speed). Only a warning: the service stays
// correct, and some operators run ANALYZE from cron instead.
func warnWithoutAutovacuum(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) {
	var on string
	if err := pool.QueryRow(ctx, `SELECT current_setting('autovacuum')`).Scan(&on); err != nil || on != "off" {
		return
	}
	log.Warn("PostgreSQL runs with autovacuum off: tables are never analyzed, and plans cached for small tables slow down as they grow; turn it on, or run ANALYZE regularly (docs/postgresql.md)")
}

// Close stops the mail queue if it runs and closes the pool.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.q.Stop(context.Background())
		s.stopListening()
		s.pool.Close()
	})
	return s.closeErr
}

// Ping reports whether the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return dbErr("ping", s.pool.QueryRow(ctx, "SELECT 1").Scan(&one))
}

// SchemaVersion is the newest migration applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	v, err := schemaVersion(ctx, s.pool)
	return v, dbErr("schema version", err)
}

// Update runs fn in one READ COMMITTED transaction. Every read-modify-write
// of the contract is a single statement, so a stronger level would add
// aborts, not safety. fn runs again, up to updateAttempts times in all, when
// PostgreSQL aborts the transaction for a serialization failure or
// deadlock. fn's own error is returned as is.
//
// While every lane is busy, Updates share transactions (group.go); a group
// that does not commit runs each member's fn again, so fn may run twice
// then too.
func (s *Store) Update(ctx context.Context, fn func(guestpass.Tx) error) error {
	attempts := updateAttempts
	if s.groupMax > 1 {
		r := s.updateInGroup(ctx, fn)
		if !r.final && !r.alone {
			s.regrouped.Add(1)
			r = s.updateInGroup(ctx, fn)
		}
		if r.final && !retryable(r.err) {
			return r.err
		}
		if r.final {
			attempts--
		}
	}
	var err error
	for range attempts {
		err = s.update(ctx, fn)
		if !retryable(err) {
			return err
		}
	}
	return err
}

// update runs fn in a transaction of its own.
func (s *Store) update(ctx context.Context, fn func(guestpass.Tx) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return dbErr("begin", err)
	}
	return s.updateOn(ctx, newPipe(conn), fn)
}

func (s *Store) updateOn(ctx context.Context, pgTx *pipeTx, fn func(guestpass.Tx) error) error {
	// A no-op after Commit; context.WithoutCancel so that a cancelled ctx
	// still returns the connection cleanly.
	defer func() { _ = pgTx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(&tx{queries: queries{db: pgTx, channel: s.channel}, pgTx: pgTx, q: s.q}); err != nil {
		return err
	}
	return dbErr("commit", pgTx.Commit(ctx))
}

// StartMailQueue starts delivering queued mail through h.
func (s *Store) StartMailQueue(ctx context.Context, h guestpass.MailHandler) error {
	return s.q.Start(ctx, h)
}

// StopMailQueue stops delivery; jobs left wait in the database.
func (s *Store) StopMailQueue(ctx context.Context) error {
	return s.q.Stop(ctx)
}

// MailJobCounts counts mail jobs by River state ("available", "completed",
// "retryable", "discarded", ...), for tests and diagnostics.
func (s *Store) MailJobCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.pool.Query(ctx,
		`SELECT state::text, count(*) FROM river_job WHERE kind = $1 GROUP BY state`, guestpass.MailJob{}.Kind())
	if err != nil {
		return nil, dbErr("count mail jobs", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, dbErr("count mail jobs", err)
		}
		counts[state] = n
	}
	return counts, dbErr("count mail jobs", rows.Err())
}

// queries implements guestpass.Queries on the pool, or on the transaction
// inside Update.
type queries struct {
	db      dbtx
	channel string // NOTIFY channel of the change feed
}

type tx struct {
	queries
	pgTx lateQueuer
	q    *queue.Queue[pgx.Tx]
}

// EnqueueMail writes River's job row itself (queue.JobRow), so that the
// insert, and the notification that wakes the workers, go with the
// transaction's next round trip: River's own insert reads its row back
// and would cost a round trip of its own, a third of a code send's.
func (t *tx) EnqueueMail(_ context.Context, job guestpass.MailJob) error {
	row, err := t.q.JobRow(job)
	if err != nil {
		return dbErr("enqueue mail", err)
	}
	t.pgTx.late("enqueue mail", insertJob, []any{string(row.Args), row.Kind, row.MaxAttempts, row.Priority, row.Queue})
	if row.Notify {
		t.pgTx.late("notify mail queue", notifyJobs, []any{queue.InsertTopic, queue.NotifyPayload})
	}
	return nil
}

// insertJob is River's insert of one job without uniqueness (River's
// JobInsertFastMany, one row), every other column at its default: state
// available, scheduled and created now. notifyJobs is River's insert
// notification (PGNotifyMany): the channel is the schema's, as River's
// listener LISTENs on current_schema() followed by a dot and the topic.
const (
	insertJob = `INSERT INTO river_job (args, kind, max_attempts, priority, queue)
		VALUES ($1::jsonb, $2, $3, $4, $5)`
	notifyJobs = `SELECT pg_notify(current_schema() || '.' || $1::text, $2::text)`
)

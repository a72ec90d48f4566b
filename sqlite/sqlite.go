package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/queue"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	_ "modernc.org/sqlite" // registers driver "sqlite"
)

var (
	_ guestpass.Store     = (*Store)(nil)
	_ guestpass.MailQueue = (*Store)(nil)
	_ guestpass.Tx        = (*tx)(nil)
)

// Options tune Open. The zero value is ready for production.
type Options struct {
	// ReadConns is the size of the read pool (default 4).
	ReadConns int
	// Queue tunes the mail queue. PollOnly is always set: River's SQLite
	// notifications are themselves polled, so they add queries, not speed.
	Queue queue.Config
}

// Store is a GuestPass database in one SQLite file.
type Store struct {
	queries
	w, r      *sql.DB // the single writer, the read pool
	pw, pr    *prepared
	q         *queue.Queue[*sql.Tx]
	closeOnce sync.Once
	closeErr  error
}

// Open opens the database at path, creating the file if it is missing, and
// brings our schema and River's up to date. path is a file name: an
// in-memory database cannot be shared by the two pools.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" || strings.Contains(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: need a file path", path)
	}
	w, err := sql.Open("sqlite", dsn(path, "journal_mode(WAL)", "synchronous(NORMAL)")+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// SQLite has one writer at a time: one connection queues writers in
	// the pool instead of failing them with SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	s, err := open(ctx, path, w, opts)
	if err != nil {
		w.Close()
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, path string, w *sql.DB, opts Options) (*Store, error) {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, w, ms); err != nil {
		return nil, dbErr("open "+path, err)
	}
	qcfg := opts.Queue
	qcfg.PollOnly = true
	q, err := queue.New(riversqlite.New(w), qcfg)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := q.Migrate(ctx); err != nil {
		return nil, dbErr("open "+path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, "query_only(1)"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(cmp.Or(max(opts.ReadConns, 0), defaultReadConns))
	pw, pr := newPrepared(w), newPrepared(r)
	return &Store{queries: queries{rd: pr, wr: pw}, w: w, r: r, pw: pw, pr: pr, q: q}, nil
}

const defaultReadConns = 4

// dsn is a SQLite URI for path with the PRAGMAs every connection needs
// plus extra ones.
func dsn(path string, extra ...string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	pragmas := append([]string{"busy_timeout(5000)", "foreign_keys(1)"}, extra...)
	return "file:" + esc.Replace(path) + "?_pragma=" + strings.Join(pragmas, "&_pragma=")
}

// Close stops the mail queue if it runs and closes both pools.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		stopErr := s.q.Stop(context.Background())
		s.pr.close()
		s.pw.close()
		s.closeErr = errors.Join(stopErr, s.r.Close(), s.w.Close())
	})
	return s.closeErr
}

// Ping reports whether the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return dbErr("ping", s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one))
}

// Update runs fn in one BEGIN IMMEDIATE transaction on the writer. SQLite
// serializes writers, so fn is never retried. fn's error is returned as is.
func (s *Store) Update(ctx context.Context, fn func(guestpass.Tx) error) error {
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return dbErr("begin", err)
	}
	defer s.pw.flushPending(context.WithoutCancel(ctx)) // the writer is free again
	defer func() { _ = sqlTx.Rollback() }()             // no-op after Commit
	ptx := preparedTx{tx: sqlTx, p: s.pw}
	if err := fn(&tx{queries: queries{rd: ptx, wr: ptx}, sqlTx: sqlTx, q: s.q}); err != nil {
		return err
	}
	return dbErr("commit", sqlTx.Commit())
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
	rows, err := s.r.QueryContext(ctx,
		`SELECT state, count(*) FROM river_job WHERE kind = ? GROUP BY state`, guestpass.MailJob{}.Kind())
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

// queries implements guestpass.Queries: reads go to rd, writes to wr. Both
// are the transaction inside Update.
type queries struct {
	rd, wr dbtx
}

type tx struct {
	queries
	sqlTx *sql.Tx
	q     *queue.Queue[*sql.Tx]
}

func (t *tx) EnqueueMail(ctx context.Context, job guestpass.MailJob) error {
	return dbErr("enqueue mail", t.q.InsertTx(ctx, t.sqlTx, job))
}

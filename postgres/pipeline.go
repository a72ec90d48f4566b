package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pipeTx is the transaction of Update. It sends its statements as late as
// it can, so that one round trip carries several: BEGIN waits for the first
// statement, writes whose outcome no caller reads (execLate: audit rows, a
// new flow, a refund) wait for the next statement that returns something,
// and the last of them go with COMMIT. A send-code transaction takes two
// round trips instead of eight: the address state with the limits taken,
// then everything else with COMMIT (the mail job too, see
// tx.EnqueueMail). Each round trip is a pgx batch, one Sync: PostgreSQL
// runs its statements in order and stops at the first error, which then
// fails the transaction as any error does.
//
// It is the dbtx of the queries inside Update and nothing more: no nested
// transactions, batches or copies of its own.
type pipeTx struct {
	conn    *pgxpool.Conn
	pending []lateStmt
	begun   bool // BEGIN was sent: the server holds a transaction
	done    bool // committed or rolled back; conn released
}

// lateStmt is a statement waiting to be sent. Its args are read when it is
// sent, so callers must not change them after handing them over.
type lateStmt struct {
	op, sql string
	args    []any
}

var _ dbtx = (*pipeTx)(nil)

// newPipe starts a transaction on conn, which it releases at the end.
func newPipe(conn *pgxpool.Conn) *pipeTx {
	return &pipeTx{conn: conn, pending: []lateStmt{{op: "begin", sql: "BEGIN"}}}
}

// late queues a statement whose result nobody reads.
func (t *pipeTx) late(op, sql string, args []any) {
	t.pending = append(t.pending, lateStmt{op: op, sql: sql, args: args})
}

// send sends what is pending followed by last (when not empty) in one batch
// and checks the results of the pending statements; the caller reads
// last's result from the returned batch and closes it.
func (t *pipeTx) send(ctx context.Context, last string, args []any) (pgx.BatchResults, error) {
	if t.done {
		return nil, pgx.ErrTxClosed
	}
	b := &pgx.Batch{}
	for _, s := range t.pending {
		b.Queue(s.sql, s.args...)
	}
	if last != "" {
		b.Queue(last, args...)
	}
	pending := t.pending
	t.pending = nil
	if len(pending) > 0 && pending[0].sql == "BEGIN" {
		t.begun = true
	}
	br := t.conn.SendBatch(ctx, b)
	for _, s := range pending {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, dbErr(s.op, err)
		}
	}
	return br, nil
}

func (t *pipeTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	br, err := t.send(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	return tag, errors.Join(err, br.Close())
}

func (t *pipeTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	br, err := t.send(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (t *pipeTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := t.Query(ctx, sql, args...)
	return &batchRow{rows: rows, err: err}
}

// Commit sends COMMIT with the statements still pending.
func (t *pipeTx) Commit(ctx context.Context) error {
	if t.done {
		return pgx.ErrTxClosed
	}
	if !t.begun && len(t.pending) == 1 { // only BEGIN: nothing was ever sent
		t.release()
		return nil
	}
	br, err := t.send(ctx, "COMMIT", nil)
	if err == nil {
		_, err = br.Exec()
		err = errors.Join(err, br.Close())
	}
	if err != nil {
		return err // Rollback releases the connection
	}
	t.release()
	return nil
}

// Rollback ends the transaction if the server has one; a no-op after
// Commit.
func (t *pipeTx) Rollback(ctx context.Context) error {
	if t.done {
		return pgx.ErrTxClosed
	}
	defer t.release()
	t.pending = nil
	if !t.begun {
		return nil
	}
	_, err := t.conn.Exec(ctx, "ROLLBACK")
	return err
}

// release returns the connection. pgxpool closes a connection that is
// still inside a transaction instead of reusing it.
func (t *pipeTx) release() {
	t.done = true
	t.conn.Release()
}

// batchRows closes the batch with the rows.
type batchRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r *batchRows) Close() {
	r.Rows.Close()
	_ = r.br.Close()
}

// batchRow is pgx.Row over batchRows, as pgx's own: the first row, or
// pgx.ErrNoRows.
type batchRow struct {
	rows pgx.Rows
	err  error
}

func (r *batchRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// lateQueuer is a transaction that sends writes with its next round trip:
// a pipeTx, or a member of a group (group.go).
type lateQueuer interface {
	late(op, sql string, args []any)
}

// execLate runs a write whose outcome no caller reads: inside Update it
// waits for the transaction's next round trip, elsewhere it runs now. Its
// errors inside Update surface from that later call, or from Commit.
func (q queries) execLate(ctx context.Context, op, sql string, args ...any) error {
	if t, ok := q.db.(lateQueuer); ok {
		t.late(op, sql, args)
		return nil
	}
	_, err := q.db.Exec(ctx, sql, args...)
	if err != nil {
		return dbErr(op, err)
	}
	return nil
}

package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// prepared runs queries as statements prepared once per connection.
// modernc re-parses SQL on every unprepared call, which profiling showed to
// be about 40% of a Send code's CPU on the single writer.
//
// The writer pool has one connection, held by an open transaction, so a
// miss inside a transaction cannot prepare on the pool (it would wait for a
// second connection forever): it runs unprepared and is prepared after the
// transaction ends (flushPending).
type prepared struct {
	db      *sql.DB
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
}

func newPrepared(db *sql.DB) *prepared {
	return &prepared{db: db, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the statement for query, preparing it when allowed.
func (p *prepared) get(ctx context.Context, query string, inTx bool) *sql.Stmt {
	p.mu.Lock()
	st := p.stmts[query]
	if st == nil && inTx {
		p.pending[query] = true
	}
	p.mu.Unlock()
	if st != nil || inTx {
		return st
	}
	st, err := p.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared call reports the error
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old := p.stmts[query]; old != nil {
		_ = st.Close()
		return old
	}
	p.stmts[query] = st
	return st
}

// flushPending prepares the queries that missed inside transactions.
func (p *prepared) flushPending(ctx context.Context) {
	p.mu.Lock()
	queries := make([]string, 0, len(p.pending))
	for q := range p.pending {
		queries = append(queries, q)
	}
	clear(p.pending)
	p.mu.Unlock()
	for _, q := range queries {
		p.get(ctx, q, false)
	}
}

func (p *prepared) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.stmts {
		_ = st.Close()
	}
	clear(p.stmts)
}

func (p *prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.get(ctx, query, false); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.db.ExecContext(ctx, query, args...)
}

func (p *prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.get(ctx, query, false); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, query, args...)
}

func (p *prepared) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.get(ctx, query, false); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, query, args...)
}

// preparedTx runs a transaction's queries through the writer's statements.
type preparedTx struct {
	tx *sql.Tx
	p  *prepared
}

func (t preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.p.get(ctx, query, true); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.p.get(ctx, query, true); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.p.get(ctx, query, true); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

package postgres

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/guestpass/guestpass"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Group commit. Write transactions run in a few lanes (Store.lanes); when
// every lane is busy, Updates that arrive meanwhile share the next lane's
// transaction instead of queueing for one transaction each. A send code is a few small statements, and on
// a busy server most of PostgreSQL's cost per send is per statement round
// and per transaction (executor start-up, commit, the round trips' context
// switches), so eight sends in one transaction cost PostgreSQL far less
// than eight transactions (docs/benchmarks.md, "Group commit").
//
// Each member's fn runs in its own goroutine, as with a transaction of its
// own. The group advances in rounds: it waits until every member still
// running has asked for a result (or finished), sends everything asked in
// one pipelined batch in member order, and hands each member its results.
// So the members run as if one after the other, in join order, inside one
// transaction: a member sees the writes of the members before it, and the
// row locks of all are held to the common COMMIT.
//
// The group commits only when every member's fn returned nil and every
// statement succeeded. Otherwise it rolls back and every member runs its fn
// again (fn must already be safe to run twice, guestpass.Store.Update):
// the member that failed the group in a transaction of its own
// (Store.update), the others in one more group, so that one bad request
// costs its companions a cheap second run rather than a transaction each.
// When nobody is to blame (a broken connection, a failed BEGIN), all run
// alone. The only outcome that is not run again is one where COMMIT was
// sent and the connection broke before its answer: whether it committed
// is unknown, and each member returns the error as a transaction of its
// own would.
type group struct {
	members []*groupMember // fixed once ready is closed
	conn    *pgxpool.Conn  // nil when the leader could not get one
	ready   chan struct{}  // closed when the group stops taking members
	msgs    chan memberMsg // the members' requests, made when ready
	done    []bool         // members whose fn has ended, kept by runGroup
}

// groupMember is one Update waiting in a group.
type groupMember struct {
	ctx    context.Context
	result chan groupResult
}

// groupResult ends a member's part. Unless final, fn must run again: alone
// when the member made the group fail or nobody knows who did, else in
// another group.
type groupResult struct {
	err   error
	final bool
	alone bool
}

// memberMsg is a member's request for the next round: the statements it
// queued without reading their results, then either a statement whose
// result it waits for (reply not nil), or the end of its fn.
type memberMsg struct {
	idx     int
	pending []lateStmt
	sql     string
	args    []any
	reply   chan memberReply
	done    bool
	err     error // fn's error, with done
}

// memberReply hands a member the batch, positioned at its statement; the
// member reads its result and sends the outcome on closed, so that the
// group reads on only after it.
type memberReply struct {
	br     pgx.BatchResults
	err    error
	closed chan error
}

// errGroupAborted answers a member's statements once its group has given
// up; the member's fn then runs again, and no caller sees it.
var errGroupAborted = errors.New("postgres: shared transaction rolled back; running again")

// DefaultGroupMax is the largest group when Options.GroupMax is 0.
const DefaultGroupMax = 16

// updateInGroup runs fn as a member of a group, or alone when nobody joins.
func (s *Store) updateInGroup(ctx context.Context, fn func(guestpass.Tx) error) groupResult {
	g, idx, leader := s.joinGroup(ctx)
	if leader {
		conn, aerr := s.acquireLane(ctx)
		s.groupMu.Lock()
		if s.forming == g {
			s.forming = nil
		}
		s.groupMu.Unlock()
		if aerr == nil {
			g.conn = conn
		}
		g.msgs = make(chan memberMsg, len(g.members))
		close(g.ready)
		if aerr == nil && len(g.members) > 1 {
			go s.runGroup(g)
		}
		if aerr != nil {
			for _, m := range g.members[1:] {
				m.result <- groupResult{alone: true}
			}
			return groupResult{err: dbErr("begin", aerr), final: true}
		}
		if len(g.members) == 1 { // nobody joined: a transaction of its own
			defer s.releaseLane()
			return groupResult{err: s.updateOn(ctx, newPipe(conn), fn), final: true}
		}
	} else {
		<-g.ready
		if g.conn == nil {
			return <-g.members[idx].result
		}
	}
	m := &memberTx{msgs: g.msgs, idx: idx}
	var fnErr error
	func() {
		defer func() {
			if r := recover(); r != nil {
				// The group waits for this member's end, and perhaps for it
				// to finish reading a result; give it both, then let the
				// panic go on as it would without a group.
				m.finishRead(errGroupAborted)
				g.msgs <- memberMsg{idx: idx, done: true, err: errGroupAborted}
				<-g.members[idx].result
				panic(r)
			}
		}()
		fnErr = fn(&tx{queries: queries{db: m, channel: s.channel}, pgTx: m, q: s.q})
		// Rows left open would hold the group; a no-op when closed.
		m.finishRead(errGroupAborted)
	}()
	g.msgs <- memberMsg{idx: idx, done: true, err: fnErr, pending: m.pending}
	return <-g.members[idx].result
}

// acquireLane waits for a lane, then for a connection.
func (s *Store) acquireLane(ctx context.Context) (*pgxpool.Conn, error) {
	select {
	case s.lanes <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		s.releaseLane()
	}
	return conn, err
}

func (s *Store) releaseLane() { <-s.lanes }

// joinGroup adds this Update to the forming group, or forms a new one and
// makes this Update its leader: the leader waits for a connection, and
// whoever arrives meanwhile joins.
func (s *Store) joinGroup(ctx context.Context) (g *group, idx int, leader bool) {
	m := &groupMember{ctx: ctx, result: make(chan groupResult, 1)}
	s.groupMu.Lock()
	defer s.groupMu.Unlock()
	if g = s.forming; g != nil {
		g.members = append(g.members, m)
		if len(g.members) == s.groupMax {
			s.forming = nil
		}
		return g, len(g.members) - 1, false
	}
	g = &group{members: []*groupMember{m}, ready: make(chan struct{})}
	s.forming = g
	return g, 0, true
}

// runGroup drives the rounds of a group of two or more and gives every
// member its result.
func (s *Store) runGroup(g *group) {
	ctx, stop := groupContext(g.members)
	defer stop()
	final, culprit, err := g.rounds(ctx)
	if err != nil && !final {
		// A failed ROLLBACK leaves the connection broken or in a
		// transaction; Release then closes it instead of pooling it.
		_, _ = g.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		g.drain()
	}
	g.conn.Release()
	s.releaseLane()
	if err == nil {
		s.shared.Add(1)
		s.grouped.Add(int64(len(g.members)))
	}
	for i, m := range g.members {
		m.result <- groupResult{err: err, final: err == nil || final, alone: culprit < 0 || i == culprit}
	}
}

// groupContext is cancelled once every member's context is: the group's
// statements run for as long as anyone waits for them.
func groupContext(members []*groupMember) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	live := atomic.Int32{}
	live.Store(int32(len(members)))
	stops := make([]func() bool, len(members))
	for i, m := range members {
		stops[i] = context.AfterFunc(m.ctx, func() {
			if live.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// rounds runs the group's transaction. final reports that err must not
// make the members run again: COMMIT may have been applied. culprit is
// the member whose fn or statement failed, -1 when none did or it is not
// known.
func (g *group) rounds(ctx context.Context) (final bool, culprit int, err error) {
	n := len(g.members)
	g.done = make([]bool, n)
	done := g.done
	begun := false
	for {
		round := make([]*memberMsg, n)
		for range n - count(done) {
			msg := <-g.msgs
			round[msg.idx] = &msg
			if msg.done {
				done[msg.idx] = true
				if msg.err != nil {
					g.refuse(round)
					return false, msg.idx, errGroupAborted
				}
			}
		}
		last := count(done) == n
		b := &pgx.Batch{}
		if !begun {
			b.Queue("BEGIN")
		}
		for _, msg := range round {
			if msg == nil {
				continue
			}
			for _, p := range msg.pending {
				b.Queue(p.sql, p.args...)
			}
			if !msg.done {
				b.Queue(msg.sql, msg.args...)
			}
		}
		if last {
			if !begun && b.Len() == 1 { // nothing was ever asked
				return false, -1, nil
			}
			b.Queue("COMMIT")
		}
		br := g.conn.SendBatch(ctx, b)
		culprit, err := g.results(br, round, !begun, last)
		begun = true
		err = errors.Join(err, br.Close())
		if err != nil {
			var pgErr *pgconn.PgError
			// Before COMMIT, or refused by the server, the transaction
			// is certainly rolled back: the members may run again.
			return last && !errors.As(err, &pgErr), culprit, err
		}
		if last {
			return false, -1, nil
		}
	}
}

// results reads one round's results in the order they were queued: the
// members' pending statements here, each member's awaited statement by
// the member itself. After the first error the rest of the round is
// refused. culprit is the member whose statement failed, else -1.
func (g *group) results(br pgx.BatchResults, round []*memberMsg, begin, commit bool) (culprit int, err error) {
	if begin {
		if _, err := br.Exec(); err != nil {
			g.refuse(round)
			return -1, dbErr("begin", err)
		}
	}
	for i, msg := range round {
		if msg == nil {
			continue
		}
		for _, p := range msg.pending {
			if _, err := br.Exec(); err != nil {
				g.refuse(round[i:])
				return i, dbErr(p.op, err)
			}
		}
		if msg.done {
			continue
		}
		closed := make(chan error, 1)
		msg.reply <- memberReply{br: br, closed: closed}
		if err := <-closed; err != nil {
			g.refuse(round[i+1:])
			return i, err
		}
	}
	if commit {
		if _, err := br.Exec(); err != nil {
			return -1, dbErr("commit", err)
		}
	}
	return -1, nil
}

// refuse answers the waiting members of a round with errGroupAborted.
func (g *group) refuse(round []*memberMsg) {
	for _, msg := range round {
		if msg != nil && !msg.done {
			msg.reply <- memberReply{err: errGroupAborted}
		}
	}
}

// drain answers every member still running with errGroupAborted until all
// have ended, so that none is left waiting on the abandoned group.
func (g *group) drain() {
	for count(g.done) < len(g.members) {
		msg := <-g.msgs
		if msg.done {
			g.done[msg.idx] = true
			continue
		}
		msg.reply <- memberReply{err: errGroupAborted}
	}
}

func count(done []bool) int {
	n := 0
	for _, d := range done {
		if d {
			n++
		}
	}
	return n
}

// memberTx is a member's dbtx: statements go to the group.
type memberTx struct {
	msgs    chan<- memberMsg
	idx     int
	pending []lateStmt
	reading func(error) // tells the group the latest result was read
}

var _ dbtx = (*memberTx)(nil)

func (t *memberTx) late(op, sql string, args []any) {
	t.pending = append(t.pending, lateStmt{op: op, sql: sql, args: args})
}

func (t *memberTx) ask(sql string, args []any) memberReply {
	reply := make(chan memberReply, 1)
	t.msgs <- memberMsg{idx: t.idx, pending: t.pending, sql: sql, args: args, reply: reply}
	t.pending = nil
	r := <-reply
	if r.err == nil {
		var once sync.Once
		t.reading = func(err error) { once.Do(func() { r.closed <- err }) }
	}
	return r
}

// finishRead tells the group that the member is done with its latest
// result; more calls for the same result change nothing.
func (t *memberTx) finishRead(err error) {
	if t.reading != nil {
		t.reading(err)
	}
}

func (t *memberTx) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	r := t.ask(sql, args)
	if r.err != nil {
		return pgconn.CommandTag{}, r.err
	}
	tag, err := r.br.Exec()
	t.finishRead(err)
	return tag, err
}

func (t *memberTx) Query(_ context.Context, sql string, args ...any) (pgx.Rows, error) {
	r := t.ask(sql, args)
	if r.err != nil {
		return nil, r.err
	}
	rows, err := r.br.Query()
	if err != nil {
		t.finishRead(err)
		return nil, err
	}
	return &memberRows{Rows: rows, done: t.reading}, nil
}

func (t *memberTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := t.Query(ctx, sql, args...)
	return &batchRow{rows: rows, err: err}
}

// memberRows tells the group, on Close, that the member has read its
// result, and how that went.
type memberRows struct {
	pgx.Rows
	done func(error) // this result's, not a later one's
}

func (r *memberRows) Close() {
	r.Rows.Close()
	r.done(r.Rows.Err())
}

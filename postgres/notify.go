package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/jackc/pgx/v5"
)

var _ guestpass.ChangeNotifier = (*Store)(nil)

// Reconnect backoff of the listening connection: short at first, so a
// PostgreSQL restart costs little, capped so a long outage does not hammer
// the server. While the listener is down the feed's poll still runs.
const (
	listenBackoffMin = 50 * time.Millisecond
	listenBackoffMax = 5 * time.Second
)

// listenAppName is the application_name of the listening connection.
const listenAppName = "guestpass change listener"

// changeChannel is the NOTIFY channel for the changes table in schema.
// Notifications are per database, not per schema, so stores on different
// schemas of one database (tests, several installations) need different
// channels; hashing keeps the name a short, safe identifier.
func changeChannel(schema string) string {
	sum := sha256.Sum256([]byte(schema))
	return "guestpass_changes_" + hex.EncodeToString(sum[:8])
}

// ChangeSignal wakes the change feed as soon as any node commits a change:
// RecordChange calls pg_notify in the change's own transaction, so the
// notification is sent at commit and never for a rolled-back change. One
// dedicated connection, outside the pool so it never takes a slot a
// request needs, LISTENs and reconnects on its own. The channel also
// receives after every (re)connect, because notifications sent while the
// listener was away are lost: the reader then polls and catches up.
func (s *Store) ChangeSignal() <-chan struct{} {
	s.listenOnce.Do(func() {
		s.signal = make(chan struct{}, 1)
		ctx, cancel := context.WithCancel(context.Background())
		s.listenStop = cancel
		s.listenDone = make(chan struct{})
		go func() {
			defer close(s.listenDone)
			s.listen(ctx)
		}()
	})
	return s.signal
}

func (s *Store) wake() {
	select {
	case s.signal <- struct{}{}:
	default: // a wake-up is already pending; one poll reads everything
	}
}

// listen keeps one LISTEN connection up until ctx ends.
func (s *Store) listen(ctx context.Context) {
	backoff := listenBackoffMin
	for ctx.Err() == nil {
		err := s.listenOnceConn(ctx, func() { backoff = listenBackoffMin })
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("change listener lost its connection; the feed falls back to polling until it is back", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, listenBackoffMax)
	}
}

// listenOnceConn connects, LISTENs and relays notifications until the
// connection fails.
func (s *Store) listenOnceConn(ctx context.Context, connected func()) error {
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = listenAppName // findable in pg_stat_activity
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return dbErr("listen", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return dbErr("listen", err)
	}
	connected()
	s.wake() // whatever was sent while nobody listened
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return dbErr("listen", err)
		}
		s.wake()
	}
}

// stopListening ends the listener, if ChangeSignal started one.
func (s *Store) stopListening() {
	if s.listenStop != nil {
		s.listenStop()
		<-s.listenDone
	}
}

package guestpass

import (
	"context"
	"time"
)

// feedOverlap is how far below the last Seq seen each poll reads again. On
// PostgreSQL a sequence number is taken before its transaction commits, so
// a change can become visible after a higher one was already read; reading
// back over the overlap (and skipping what was applied) catches it.
const feedOverlap = 256

// feedBatch bounds one poll's rows.
const feedBatch = 1000

// changeFeed follows the store's change feed for one Service.
type changeFeed struct {
	last int64
	seen map[int64]struct{} // applied Seqs in (last-feedOverlap, last]
}

// OnChange registers fn to be called for every change this node learns of,
// its own at once and other nodes' from the feed. A change may be delivered
// more than once, so fn must be idempotent (dropping a cache entry is).
// Register before Start.
func (s *Service) OnChange(fn func(Change)) {
	s.listeners = append(s.listeners, fn)
}

// applyChange updates this node's view and listeners.
func (s *Service) applyChange(c Change) {
	s.view.apply(c)
	s.proxies.apply(c)
	s.tenants.apply(c)
	for _, fn := range s.listeners {
		fn(c)
	}
}

// startFeed reads the feed in the background until Stop.
func (s *Service) startFeed(ctx context.Context) error {
	last, err := s.store.LatestChangeSeq(ctx)
	if err != nil {
		return internal("read change feed", err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.feedStop = cancel
	s.feedDone = make(chan struct{})
	f := &changeFeed{last: last, seen: map[int64]struct{}{}}
	s.view.markFresh()
	go func() {
		defer close(s.feedDone)
		s.followFeed(ctx, f)
	}()
	return nil
}

func (s *Service) stopFeed() {
	if s.feedStop != nil {
		s.feedStop()
		<-s.feedDone
		s.feedStop = nil
	}
}

func (s *Service) followFeed(ctx context.Context, f *changeFeed) {
	t := time.NewTicker(s.feedPoll)
	defer t.Stop()
	var signal <-chan struct{}
	if n, ok := s.store.(ChangeNotifier); ok {
		signal = n.ChangeSignal()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-signal:
		}
		if err := s.pollFeed(ctx, f); err != nil {
			if ctx.Err() != nil {
				return
			}
			// Whatever this node missed, it must not serve from memory.
			s.view.markStale()
			s.log.Warn("change feed unreadable; sessions are checked in the database until it is back", "err", err)
			continue
		}
		s.view.markFresh()
	}
}

// pollFeed applies the changes recorded since the last poll.
func (s *Service) pollFeed(ctx context.Context, f *changeFeed) error {
	for {
		from := max(f.last-feedOverlap, 0)
		cs, err := s.store.ChangesSince(ctx, from, feedBatch)
		if err != nil {
			return err
		}
		if f.last > 0 && len(cs) > 0 && cs[0].Seq > f.last {
			// Even the last row this node read is gone: rows it had not
			// read may have been purged too (it was away for longer than
			// ChangeRetention), so start over from nothing.
			s.view.reset()
			s.proxies.invalidate()
			s.tenants.reset()
		}
		for _, c := range cs {
			if _, done := f.seen[c.Seq]; done {
				continue
			}
			f.seen[c.Seq] = struct{}{}
			f.last = max(f.last, c.Seq)
			s.applyChange(c)
		}
		for seq := range f.seen {
			if seq <= f.last-feedOverlap {
				delete(f.seen, seq)
			}
		}
		if len(cs) < feedBatch {
			return nil
		}
	}
}

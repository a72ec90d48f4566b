package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/guestpass/guestpass/bench/load"
)

// mailer counts the invitation emails a scenario enqueued, so it can wait
// for the sink to receive them all.
type mailer struct {
	g        *guestPass
	next     atomic.Int64 // addresses used
	enqueued atomic.Int64 // invitations answered 201, each an email
}

func mailScenario() Scenario {
	return Scenario{
		Name: "mail",
		About: "guestpass: POST an invitation with its email (admin API); then delivery " +
			"rate of the backlog and of a burst of 2000 to the SMTP sink",
		Start: func(ctx context.Context, clients int) (*Target, error) {
			g, err := startTenant(ctx, clients)
			if err != nil {
				return nil, err
			}
			m := &mailer{g: g}
			t, err := g.target(ctx, func(ctx context.Context, _ int) error { return m.invite(ctx, "mail") })
			if err != nil {
				return nil, err
			}
			t.Notes = func(ctx context.Context) ([]string, error) {
				start, _ := g.notes(ctx)
				more, err := m.notes(ctx)
				return append(start, more...), err
			}
			return t, nil
		},
	}
}

func (m *mailer) invite(ctx context.Context, prefix string) error {
	addr := fmt.Sprintf("%s%d@bench.example", prefix, m.next.Add(1))
	if err := m.g.admin.invite(ctx, m.g.tid, addr, true); err != nil {
		return err
	}
	m.enqueued.Add(1)
	return nil
}

// notes measures delivery after the run: first how long the queue took to
// drain what the run enqueued, then the rate of a burst on an idle queue.
func (m *mailer) notes(ctx context.Context) ([]string, error) {
	drainStart := time.Now()
	backlog := int(m.enqueued.Load())
	ctx, cancel := context.WithTimeout(ctx, drainTimeout)
	defer cancel()
	delivered := m.g.Sink.Count()
	if _, err := m.g.Sink.WaitCount(ctx, backlog); err != nil {
		return nil, err
	}
	notes := []string{fmt.Sprintf("%d invitation emails enqueued during the run; %d delivered by its end, the rest %v later",
		backlog, delivered, load.Round(time.Since(drainStart)))}
	rate, err := m.burst(ctx, mailBurst)
	if err != nil {
		return notes, err
	}
	return append(notes, rate), nil
}

// burst enqueues n invitations from setupWorkers clients and times the
// first enqueue to the n-th delivery.
func (m *mailer) burst(ctx context.Context, n int) (string, error) {
	base := m.g.Sink.Count()
	start := time.Now()
	err := parallel(ctx, n, setupWorkers, func(ctx context.Context, _ int) error { return m.invite(ctx, "burst") })
	if err != nil {
		return "", fmt.Errorf("burst: %w", err)
	}
	enqueued := time.Since(start)
	last, err := m.g.Sink.WaitCount(ctx, base+n)
	if err != nil {
		return "", fmt.Errorf("burst: %w", err)
	}
	took := last.Sub(start)
	return fmt.Sprintf("burst of %d invitation emails: enqueued in %v, all delivered %v after the first enqueue: %.0f messages/s",
		n, load.Round(enqueued), load.Round(took), float64(n)/took.Seconds()), nil
}

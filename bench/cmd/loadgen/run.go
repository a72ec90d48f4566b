package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"time"

	"github.com/guestpass/guestpass/bench/load"
)

// rssInterval is how often memory is sampled under load; the peak is kept.
const rssInterval = 100 * time.Millisecond

func (m *Main) runCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	var opts load.Options
	fs.IntVar(&opts.Clients, "clients", 32, "concurrent keep-alive clients")
	fs.DurationVar(&opts.Duration, "duration", 10*time.Second, "measured time per scenario")
	fs.DurationVar(&opts.Warmup, "warmup", 2*time.Second, "unmeasured time before it")
	database := fs.String("database", "sqlite", "sqlite (a fresh file per scenario) or a postgres:// URL (a fresh schema per scenario)")
	nodes := fs.Int("nodes", 1, "GuestPass servers on the one PostgreSQL database; clients spread over them round robin")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkDatabase(*database, *nodes); err != nil {
		return err
	}
	ctx = withNodes(withDatabase(ctx, *database), *nodes)
	picked, err := m.pick(fs.Args())
	if err != nil {
		return err
	}
	var rows []row
	for _, s := range picked {
		r, err := m.measure(ctx, s, opts)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		rows = append(rows, r)
	}
	return writeTable(m.Stdout, rows)
}

// pick returns the scenarios named, in the order given, or all of them.
func (m *Main) pick(names []string) ([]Scenario, error) {
	if len(names) == 0 {
		return m.Scenarios, nil
	}
	var out []Scenario
	for _, n := range names {
		i := slices.IndexFunc(m.Scenarios, func(s Scenario) bool { return s.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown scenario %q (see loadgen list)", n)
		}
		out = append(out, m.Scenarios[i])
	}
	return out, nil
}

// row is one measured scenario; an RSS of -1 could not be read.
type row struct {
	name    string
	result  load.Result
	rssIdle int64
	rssPeak int64
	notes   []string
}

func (m *Main) measure(ctx context.Context, s Scenario, opts load.Options) (_ row, err error) {
	t, err := s.Start(ctx, opts.Clients)
	if err != nil {
		return row{}, fmt.Errorf("start: %w", err)
	}
	defer func() {
		if cerr := t.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close: %w", cerr))
		}
	}()
	r := row{name: s.Name, rssIdle: rssOrUnknown(load.RSS(t.PID))}
	stop := load.WatchRSS(t.PID, rssInterval)
	r.result, err = load.Run(ctx, opts, t.Op)
	r.rssPeak = rssOrUnknown(stop())
	fmt.Fprintf(m.Stderr, "%s: %v\n", s.Name, r.result)
	if err != nil || t.Notes == nil {
		return r, err
	}
	r.notes, err = t.Notes(ctx)
	for _, n := range r.notes {
		fmt.Fprintf(m.Stderr, "%s: %s\n", s.Name, n)
	}
	if err != nil {
		return r, fmt.Errorf("notes: %w", err)
	}
	return r, nil
}

// rssOrUnknown keeps a report going where /proc is missing (not Linux).
func rssOrUnknown(n int64, err error) int64 {
	if err != nil {
		return -1
	}
	return n
}

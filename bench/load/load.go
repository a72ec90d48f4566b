package load

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Op is one operation of one client: an HTTP request, an SMTP send. worker
// is the client's index in [0, Clients), for ops that keep per-client state
// (a cookie jar, a guest). A returned error counts as a failed op.
type Op func(ctx context.Context, worker int) error

// Options sizes a run.
type Options struct {
	Clients  int           // concurrent clients, each running ops back to back
	Duration time.Duration // measured window
	Warmup   time.Duration // ops before the window, not recorded: fills pools and caches
}

func (o Options) validate() error {
	switch {
	case o.Clients < 1:
		return fmt.Errorf("clients = %d, want at least 1", o.Clients)
	case o.Duration <= 0:
		return fmt.Errorf("duration = %v, want > 0", o.Duration)
	case o.Warmup < 0:
		return fmt.Errorf("warmup = %v, want >= 0", o.Warmup)
	}
	return nil
}

// Run drives op from opts.Clients goroutines for opts.Warmup and then
// opts.Duration, and reports the ops that completed inside the measured
// window. It stops early, with what it measured, when ctx ends.
func Run(ctx context.Context, opts Options, op Op) (Result, error) {
	if err := opts.validate(); err != nil {
		return Result{}, fmt.Errorf("load: %w", err)
	}
	start := time.Now()
	w := window{from: start.Add(opts.Warmup), to: start.Add(opts.Warmup + opts.Duration)}
	workers := make([]worker, opts.Clients)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() { workers[i].loop(ctx, i, op, w) })
	}
	wg.Wait()
	end := time.Now()
	if end.After(w.to) {
		end = w.to
	}
	return merge(opts.Clients, max(end.Sub(w.from), 0), workers), nil
}

// window is the measured span; ops completed outside it are not recorded.
type window struct{ from, to time.Time }

// worker is one client's record; only its goroutine writes it.
type worker struct {
	latencies []time.Duration
	errors    int64
	firstErr  error
}

func (w *worker) loop(ctx context.Context, id int, op Op, win window) {
	for ctx.Err() == nil {
		t0 := time.Now()
		if !t0.Before(win.to) {
			return
		}
		err := op(ctx, id)
		t1 := time.Now()
		if t0.Before(win.from) || t1.After(win.to) {
			continue
		}
		if err != nil {
			w.fail(ctx, err)
			continue
		}
		w.latencies = append(w.latencies, t1.Sub(t0))
	}
}

func (w *worker) fail(ctx context.Context, err error) {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return // the run was stopped, the op did not fail
	}
	w.errors++
	if w.firstErr == nil {
		w.firstErr = err
	}
}

func merge(clients int, elapsed time.Duration, workers []worker) Result {
	r := Result{Clients: clients, Elapsed: elapsed}
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.latencies...)
		r.Errors += w.errors
		if r.FirstError == nil {
			r.FirstError = w.firstErr
		}
	}
	slices.Sort(all)
	r.Ops = int64(len(all))
	r.P50, r.P90, r.P99 = percentile(all, 50), percentile(all, 90), percentile(all, 99)
	if len(all) > 0 {
		r.Max = all[len(all)-1]
	}
	return r
}

// percentile returns the nearest-rank p-th percentile of sorted: the
// smallest latency that at least p% of ops did not exceed.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	return sorted[max(rank, 1)-1]
}

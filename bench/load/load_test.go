package load

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = ms(i + 1)
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      int
		want   time.Duration
	}{
		{"MedianOfHundred", hundred, 50, ms(50)},
		{"P90OfHundred", hundred, 90, ms(90)},
		{"P99OfHundred", hundred, 99, ms(99)},
		{"P100IsMax", hundred, 100, ms(100)},
		{"SingleOp", []time.Duration{ms(7)}, 99, ms(7)},
		{"MedianOfTwoIsLower", []time.Duration{ms(1), ms(2)}, 50, ms(1)},
		{"P99OfTwoIsUpper", []time.Duration{ms(1), ms(2)}, 99, ms(2)},
		{"NoOps", nil, 50, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(p%d) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestMergeUnsortedWorkers(t *testing.T) {
	var lat []time.Duration
	for i := range 1000 {
		lat = append(lat, time.Duration(i+1)*time.Microsecond)
	}
	rand.Shuffle(len(lat), func(i, j int) { lat[i], lat[j] = lat[j], lat[i] })
	boom := errors.New("boom")
	workers := []worker{
		{latencies: lat[:300]},
		{latencies: lat[300:], errors: 2, firstErr: boom},
	}
	got := merge(2, time.Second, workers)
	want := Result{Clients: 2, Elapsed: time.Second, Ops: 1000, Errors: 2, FirstError: boom,
		P50: 500 * time.Microsecond, P90: 900 * time.Microsecond, P99: 990 * time.Microsecond, Max: time.Millisecond}
	if got != want {
		t.Errorf("merge = %+v\nwant    %+v", got, want)
	}
	if got.OpsPerSec() != 1000 {
		t.Errorf("OpsPerSec = %v, want 1000", got.OpsPerSec())
	}
}

func TestRun(t *testing.T) {
	opts := Options{Clients: 4, Duration: 50 * time.Millisecond, Warmup: 10 * time.Millisecond}
	t.Run("TrivialOpRecorded", func(t *testing.T) {
		// A longer window than the other cases: "every worker ran" needs
		// each goroutine scheduled before the window ends, which a busy
		// machine under -race delayed past 60 ms.
		opts := Options{Clients: 4, Duration: time.Second, Warmup: 10 * time.Millisecond}
		var calls [4]atomic.Int64
		r, err := Run(t.Context(), opts, func(_ context.Context, w int) error {
			calls[w].Add(1)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.Ops == 0 || r.Errors != 0 || r.Clients != 4 {
			t.Errorf("Run = %v, want ops and no errors from 4 clients", r)
		}
		if !(r.P50 <= r.P90 && r.P90 <= r.P99 && r.P99 <= r.Max) {
			t.Errorf("percentiles out of order: %v", r)
		}
		if r.Elapsed <= 0 || r.Elapsed > opts.Duration {
			t.Errorf("Elapsed = %v, want within (0, %v]", r.Elapsed, opts.Duration)
		}
		for w := range calls {
			if calls[w].Load() == 0 {
				t.Errorf("worker %d never ran", w)
			}
		}
	})
	t.Run("FailuresCounted", func(t *testing.T) {
		r, err := Run(t.Context(), opts, func(_ context.Context, w int) error {
			if w%2 == 1 {
				return fmt.Errorf("worker %d refused", w)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.Errors == 0 || r.FirstError == nil || !strings.Contains(r.FirstError.Error(), "refused") {
			t.Errorf("Run = %v, want counted failures with an example", r)
		}
	})
	t.Run("StopsWhenContextEnds", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var n atomic.Int64
		long := Options{Clients: 2, Duration: time.Hour}
		r, err := Run(ctx, long, func(ctx context.Context, _ int) error {
			if n.Add(1) == 100 {
				cancel()
			}
			return ctx.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.Errors != 0 {
			t.Errorf("Run = %v: the stop was counted as failures", r)
		}
	})
}

func TestRunRejectsBadOptions(t *testing.T) {
	tests := map[string]Options{
		"NoClients":      {Clients: 0, Duration: time.Second},
		"NoDuration":     {Clients: 1},
		"NegativeWarmup": {Clients: 1, Duration: time.Second, Warmup: -time.Second},
	}
	for name, opts := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Run(t.Context(), opts, func(context.Context, int) error {
				t.Error("op ran")
				return nil
			})
			if err == nil {
				t.Error("Run accepted", opts)
			}
		})
	}
}

func TestRatio(t *testing.T) {
	bare := Result{Elapsed: time.Second, Ops: 1000, P50: time.Millisecond, P99: 2 * time.Millisecond}
	app := Result{Elapsed: time.Second, Ops: 250, P50: 3 * time.Millisecond, P99: 10 * time.Millisecond}
	got := Ratio(app, bare)
	if want := (Comparison{Throughput: 0.25, P50: 3, P99: 5}); got != want {
		t.Errorf("Ratio = %+v, want %+v", got, want)
	}
	if got, want := got.String(), "0.25× throughput, 3.0× p50, 5.0× p99"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got := Ratio(app, Result{}); got != (Comparison{}) {
		t.Errorf("Ratio to an empty run = %+v, want zeros", got)
	}
}

func TestResultString(t *testing.T) {
	r := Result{Clients: 32, Elapsed: 2 * time.Second, Ops: 2000, Errors: 1, FirstError: errors.New("status 500"),
		P50: 1234567 * time.Nanosecond, P90: 2 * time.Millisecond, P99: 3 * time.Millisecond, Max: 40 * time.Millisecond}
	want := "32 clients: 1000 ops/s (2000 ops, 1 errors in 2s) p50 1.23ms p90 2ms p99 3ms max 40ms (first error: status 500)"
	if got := r.String(); got != want {
		t.Errorf("String =\n%s\nwant\n%s", got, want)
	}
	if got := (Result{}).OpsPerSec(); got != 0 {
		t.Errorf("OpsPerSec of an empty run = %v", got)
	}
}

func TestRound(t *testing.T) {
	tests := map[time.Duration]time.Duration{
		999:                      999,
		123456:                   123000,
		1234567:                  1230000,
		98765 * time.Millisecond: 98800 * time.Millisecond,
		2 * time.Hour:            2 * time.Hour,
	}
	for in, want := range tests {
		if got := Round(in); got != want {
			t.Errorf("Round(%v) = %v, want %v", in, got, want)
		}
	}
}

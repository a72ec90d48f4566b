package load

import (
	"fmt"
	"time"
)

// Result is what one Run measured. Latencies are of successful ops only.
type Result struct {
	Clients    int
	Elapsed    time.Duration // measured window, shorter when the run was stopped
	Ops        int64         // successful ops completed in the window
	Errors     int64         // failed ops completed in the window
	FirstError error         // an example failure, for the report
	P50        time.Duration
	P90        time.Duration
	P99        time.Duration
	Max        time.Duration
}

// OpsPerSec is the throughput of successful ops.
func (r Result) OpsPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// String is a one-line summary for logs.
func (r Result) String() string {
	s := fmt.Sprintf("%d clients: %.0f ops/s (%d ops, %d errors in %v) p50 %v p90 %v p99 %v max %v",
		r.Clients, r.OpsPerSec(), r.Ops, r.Errors, r.Elapsed.Round(time.Millisecond),
		Round(r.P50), Round(r.P90), Round(r.P99), Round(r.Max))
	if r.FirstError != nil {
		s += fmt.Sprintf(" (first error: %v)", r.FirstError)
	}
	return s
}

// Round shortens a latency to three significant digits for tables.
func Round(d time.Duration) time.Duration {
	for unit := time.Duration(1); unit < time.Hour; unit *= 10 {
		if d < 1000*unit {
			return d.Round(unit)
		}
	}
	return d
}

// Comparison is run a relative to run b, as factors: Throughput 0.5 means a
// did half the ops/s of b; P99 3 means a's p99 was three times b's.
type Comparison struct {
	Throughput float64
	P50        float64
	P99        float64
}

// Ratio compares a with b (usually GuestPass with the bare handler). A
// factor whose divisor is zero is 0.
func Ratio(a, b Result) Comparison {
	return Comparison{
		Throughput: div(a.OpsPerSec(), b.OpsPerSec()),
		P50:        div(float64(a.P50), float64(b.P50)),
		P99:        div(float64(a.P99), float64(b.P99)),
	}
}

func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func (c Comparison) String() string {
	return fmt.Sprintf("%.2f× throughput, %.1f× p50, %.1f× p99", c.Throughput, c.P50, c.P99)
}

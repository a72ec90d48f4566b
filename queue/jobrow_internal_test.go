package queue

import (
	"testing"
	"time"
)

// The insert notification is let through once per interval, to the first
// caller at or after its time.
func TestNotifyLimiter(t *testing.T) {
	l := &notifyLimiter{every: time.Second}
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i, step := range []struct {
		at   time.Duration
		want bool
	}{{0, true}, {0, false}, {500 * time.Millisecond, false}, {time.Second, true}, {time.Second, false}, {5 * time.Second, true}} {
		if got := l.due(t0.Add(step.at)); got != step.want {
			t.Fatalf("call %d at +%s: due %t, want %t", i+1, step.at, got, step.want)
		}
	}
}

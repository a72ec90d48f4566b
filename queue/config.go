package queue

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// Config tunes River for mail. Zero fields take the defaults named on each.
type Config struct {
	// MaxAttempts is how often a job is tried before it is discarded; the
	// handler sees attempt == MaxAttempts on the last try. Default 20, which
	// with the default backoff spans about two hours.
	MaxAttempts int

	// After the n-th failure of a job the next try waits RetryBase·2^n, at
	// most RetryMax. Defaults 1 s and 10 min: 2 s, 4 s, 8 s, ... 512 s, then
	// every 10 min, so a relay hiccup costs seconds and an outage is
	// retried steadily without hammering it.
	RetryBase time.Duration
	RetryMax  time.Duration

	// FetchPollInterval bounds how long a committed job waits before a
	// worker sees it (default 100 ms); FetchCooldown is the minimum gap
	// between two fetches (default 10 ms, or FetchPollInterval if smaller).
	// A fetch takes at most as many jobs as there are idle workers, so
	// with deliveries of a millisecond or two Workers/FetchCooldown is the
	// ceiling on messages per second: 10 workers and 50 ms measured 194
	// messages/s, the ceiling of 200.
	FetchPollInterval time.Duration
	FetchCooldown     time.Duration

	// JobTimeout cancels the context of one delivery attempt (default 30 s).
	JobTimeout time.Duration

	// RescueStuckJobsAfter is how long a job may stay running before it is
	// retried (default 1 min, at least JobTimeout): a job that was running
	// when the process was killed is delivered again soon after restart.
	RescueStuckJobsAfter time.Duration

	// StopTimeout is how long Stop lets running deliveries finish before
	// their contexts are cancelled (default 10 s).
	StopTimeout time.Duration

	// Workers is the number of deliveries run at once (default 16); each
	// may hold an SMTP connection (see mail.SMTP).
	Workers int

	// PollOnly makes workers find new jobs by polling every
	// FetchPollInterval instead of through River's notifications.
	PollOnly bool

	// Logger receives River's records at Warn and above (River logs every
	// start, stop and leadership change at Info). Default slog.Default().
	Logger *slog.Logger
}

// Defaults of Config.
const (
	DefaultMaxAttempts          = 20
	DefaultRetryBase            = time.Second
	DefaultRetryMax             = 10 * time.Minute
	DefaultFetchPollInterval    = 100 * time.Millisecond
	DefaultFetchCooldown        = 10 * time.Millisecond
	DefaultJobTimeout           = 30 * time.Second
	DefaultRescueStuckJobsAfter = time.Minute
	DefaultStopTimeout          = 10 * time.Second
	DefaultWorkers              = 16
)

func (c Config) withDefaults() (Config, error) {
	for _, d := range []time.Duration{c.RetryBase, c.RetryMax, c.FetchPollInterval,
		c.FetchCooldown, c.JobTimeout, c.RescueStuckJobsAfter, c.StopTimeout} {
		if d < 0 {
			return c, errors.New("queue: negative duration in config")
		}
	}
	if c.MaxAttempts < 0 || c.Workers < 0 {
		return c, errors.New("queue: negative count in config")
	}
	c.MaxAttempts = cmp.Or(c.MaxAttempts, DefaultMaxAttempts)
	c.RetryBase = cmp.Or(c.RetryBase, DefaultRetryBase)
	c.RetryMax = cmp.Or(c.RetryMax, DefaultRetryMax)
	c.FetchPollInterval = cmp.Or(c.FetchPollInterval, DefaultFetchPollInterval)
	c.FetchCooldown = cmp.Or(c.FetchCooldown, min(DefaultFetchCooldown, c.FetchPollInterval))
	c.JobTimeout = cmp.Or(c.JobTimeout, DefaultJobTimeout)
	c.RescueStuckJobsAfter = cmp.Or(c.RescueStuckJobsAfter, max(DefaultRescueStuckJobsAfter, c.JobTimeout))
	c.StopTimeout = cmp.Or(c.StopTimeout, DefaultStopTimeout)
	c.Workers = cmp.Or(c.Workers, DefaultWorkers)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = slog.New(warnOnly{c.Logger.Handler()})
	return c, nil
}

// backoff is the retry policy documented on Config.
type backoff struct {
	base, max time.Duration
	// now is the wall clock on purpose: River compares the retry time with
	// its own wall clock, so an injected fake clock would misschedule it.
	now func() time.Time
}

func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	return b.now().Add(b.delay(len(job.Errors) + 1))
}

// delay is the wait after the n-th failure.
func (b backoff) delay(n int) time.Duration {
	d := b.base
	for range n {
		if d >= b.max/2 {
			return b.max
		}
		d *= 2
	}
	return min(d, b.max)
}

// warnOnly drops records below Warn whatever the wrapped handler accepts.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnOnly) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnOnly{h.Handler.WithAttrs(attrs)}
}

func (h warnOnly) WithGroup(name string) slog.Handler {
	return warnOnly{h.Handler.WithGroup(name)}
}

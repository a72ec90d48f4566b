package queue

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/riverqueue/river"
)

// JobRow is the river_job row that InsertTx writes for a mail job, for a
// store that writes it with its own INSERT: there it can travel in a round
// trip the transaction makes anyway, where River's insert reads its row
// back and so costs one of its own. Every other column takes its table
// default, as in River's insert. River documents this table as its insert
// interface for clients in other languages; a test compares the two rows
// column by column, so an upgrade of River that changes them fails there.
type JobRow struct {
	Args        []byte // the job as JSON
	Kind        string
	MaxAttempts int
	Priority    int
	Queue       string

	// Notify is set when the insert should also wake the workers (River's
	// insert notification, topic InsertTopic, payload NotifyPayload): at
	// most once per FetchCooldown, as River's own insert does. Without it
	// a job waits for the next poll, FetchPollInterval at most.
	Notify bool
}

// InsertTopic is River's notification channel for inserts, after the
// schema and a dot.
const InsertTopic = "river_insert"

// NotifyPayload is River's insert notification for the mail queue.
var NotifyPayload = fmt.Sprintf(`{"queue": %q}`, river.QueueDefault)

// JobRow returns the row InsertTx would insert for job.
func (q *Queue[TTx]) JobRow(job guestpass.MailJob) (JobRow, error) {
	args, err := json.Marshal(job)
	if err != nil {
		return JobRow{}, fmt.Errorf("queue: encode job: %w", err)
	}
	return JobRow{
		Args:        args,
		Kind:        job.Kind(),
		MaxAttempts: q.cfg.MaxAttempts,
		Priority:    river.PriorityDefault,
		Queue:       river.QueueDefault,
		Notify:      q.notify.due(time.Now()),
	}, nil
}

// notifyLimiter lets one caller through per interval.
type notifyLimiter struct {
	every time.Duration
	next  atomic.Int64 // unix nanoseconds
}

func (l *notifyLimiter) due(now time.Time) bool {
	n, next := now.UnixNano(), l.next.Load()
	return n >= next && l.next.CompareAndSwap(next, n+int64(l.every))
}

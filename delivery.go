package guestpass

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
)

// sentJobs remembers, in this process, the mail jobs whose message the
// SMTP server has accepted. When recording the outcome then fails (the
// database went away between the two), the queue retries the job, and the
// retry must record the outcome, not send the message again. A crash of
// the process in that window can still send it twice: mail is delivered at
// least once, and exactly once whenever this process survives.
type sentJobs struct {
	mu   sync.Mutex
	at   map[string]time.Time
	keep time.Duration
}

// sentJobsMax bounds the memory: entries are dropped after keep, and the
// oldest half when the map is full (a retry comes within minutes).
const sentJobsMax = 100_000

func (j *sentJobs) add(id string, now time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.at == nil {
		j.at = map[string]time.Time{}
	}
	if len(j.at) >= sentJobsMax {
		j.pruneLocked(now, true)
	}
	j.at[id] = now
}

func (j *sentJobs) has(id string, now time.Time) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	t, ok := j.at[id]
	return ok && now.Sub(t) < j.keep
}

func (j *sentJobs) forget(id string) {
	j.mu.Lock()
	delete(j.at, id)
	j.mu.Unlock()
}

// pruneLocked drops entries older than keep, or, with hard set and nothing
// old enough, entries older than the median age.
func (j *sentJobs) pruneLocked(now time.Time, hard bool) {
	for id, t := range j.at {
		if now.Sub(t) >= j.keep {
			delete(j.at, id)
		}
	}
	if !hard || len(j.at) < sentJobsMax {
		return
	}
	var oldest, newest time.Time
	for _, t := range j.at {
		if oldest.IsZero() || t.Before(oldest) {
			oldest = t
		}
		if t.After(newest) {
			newest = t
		}
	}
	mid := oldest.Add(newest.Sub(oldest) / 2)
	for id, t := range j.at {
		if !t.After(mid) {
			delete(j.at, id)
		}
	}
}

// HandleMail delivers one queued message (the queue's MailHandler). Decoys
// are dropped; a code that would arrive after it expired is dropped and
// audited rather than sent late; permanent refusals and the last failed try
// mark the invitation's delivery failed with the server's reason.
//
// Text messages (MailTextCode) take the same path to the TextSender; their
// audit events are text.* instead of mail.*.
func (s *Service) HandleMail(ctx context.Context, job MailJob, attempt, maxAttempts int) error {
	if job.Discard {
		return nil
	}
	what := channelOf(job)
	if !job.NotAfter.IsZero() && !s.clock.Now().Before(job.NotAfter) {
		return s.mailOutcome(ctx, job, DeliveryFailed, what+".drop", "expired before delivery")
	}
	send, err := s.sender(job)
	if err != nil {
		return err
	}
	plain, err := s.keys.Open(job.Sealed, []byte(job.ID))
	if err != nil {
		// Sealed under another key: retrying cannot help.
		return s.mailOutcome(ctx, job, DeliveryFailed, what+".fail", "cannot decrypt queued message (secret key changed?)")
	}
	msg, err := decodeMessage(plain)
	if err != nil {
		return s.mailOutcome(ctx, job, DeliveryFailed, what+".fail", "corrupt queued message")
	}
	if s.sent.has(job.ID, s.clock.Now()) {
		// Accepted by the server on an earlier attempt whose outcome could
		// not be recorded: record it now, never send twice.
		return s.recordSent(ctx, job)
	}
	err = send(ctx, msg)
	switch {
	case err == nil:
		s.sent.add(job.ID, s.clock.Now())
		return s.recordSent(ctx, job)
	case errors.Is(err, ErrMailPermanent) || errors.Is(err, ErrTextPermanent) || attempt >= maxAttempts:
		return s.mailOutcome(ctx, job, DeliveryFailed, what+".fail", reasonOf(err))
	}
	s.log.Warn("mail delivery failed; will retry", "job", job.ID, "kind", job.Type, "attempt", attempt, "err", reasonOf(err))
	if job.InvitationID != "" {
		if serr := s.store.SetMailDelivery(ctx, job.TenantID, job.InvitationID, job.ID, DeliveryQueued, reasonOf(err), s.clock.Now()); serr != nil {
			s.log.Error("record delivery state", "err", serr)
		}
	}
	return err
}

// channelOf names a job's channel in audit actions: "mail" or "text".
func channelOf(job MailJob) string {
	if job.Type == MailTextCode {
		return "text"
	}
	return "mail"
}

// sender is how job is delivered: the Mailer, or the TextSender for texts.
// Without one the job waits (an error retries it) rather than being lost:
// a misconfigured node must not eat another node's mail.
func (s *Service) sender(job MailJob) (func(context.Context, *Message) error, error) {
	if job.Type == MailTextCode {
		if s.texts == nil {
			return nil, errors.New("no SMS provider configured")
		}
		host := s.base.Hostname()
		return func(ctx context.Context, m *Message) error { return s.texts.SendText(ctx, m.To, textBody(m, host)) }, nil
	}
	if s.mailer == nil {
		return nil, errors.New("no mailer configured")
	}
	return s.mailer.Send, nil
}

// recordSent records a delivered message; once recorded, the job needs no
// memory of it.
func (s *Service) recordSent(ctx context.Context, job MailJob) error {
	if err := s.mailOutcome(ctx, job, DeliverySent, channelOf(job)+".send", ""); err != nil {
		return err
	}
	s.sent.forget(job.ID)
	return nil
}

// mailOutcome records a final delivery outcome on the invitation (if any)
// and in the audit log.
func (s *Service) mailOutcome(ctx context.Context, job MailJob, state DeliveryState, action, reason string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		if job.InvitationID != "" {
			if err := tx.SetMailDelivery(ctx, job.TenantID, job.InvitationID, job.ID, state, reason, s.clock.Now()); err != nil {
				return internal("set delivery", err)
			}
		}
		outcome := "success"
		if state == DeliveryFailed {
			outcome = "failure"
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: job.TenantID, Type: AuditMail, Action: action, Outcome: outcome,
			Reason: reason, Actor: "system", Detail: string(job.Type) + " " + job.ID})
	})
}

// reasonOf keeps the server's words but bounds them for storage and display.
func reasonOf(err error) string {
	r := strings.ToValidUTF8(err.Error(), "?")
	if len(r) > 300 {
		r = r[:300]
	}
	return r
}

// Start begins following the change feed (until then sessions are checked
// in the database on every request) and mail delivery when the store runs
// a queue.
func (s *Service) Start(ctx context.Context) error {
	if err := s.startFeed(ctx); err != nil {
		return err
	}
	if q, ok := s.store.(MailQueue); ok {
		return q.StartMailQueue(ctx, s)
	}
	return nil
}

// Stop ends mail delivery, letting jobs in flight finish while ctx allows,
// and the change feed.
func (s *Service) Stop(ctx context.Context) error {
	s.stopFeed()
	if q, ok := s.store.(MailQueue); ok {
		return q.StopMailQueue(ctx)
	}
	return nil
}

// Purge removes dead flows, sessions and limiter rows.
func (s *Service) Purge(ctx context.Context) (int, error) {
	n, err := s.store.PurgeExpired(ctx, s.clock.Now())
	return n, internal("purge", err)
}

package guestpass

import (
	"context"
	"errors"
	"strings"
)

// HandleMail delivers one queued message (the queue's MailHandler). Decoys
// are dropped; a code that would arrive after it expired is dropped and
// audited rather than sent late; permanent refusals and the last failed try
// mark the invitation's delivery failed with the server's reason.
func (s *Service) HandleMail(ctx context.Context, job MailJob, attempt, maxAttempts int) error {
	if job.Discard {
		return nil
	}
	if !job.NotAfter.IsZero() && !s.clock.Now().Before(job.NotAfter) {
		return s.mailOutcome(ctx, job, DeliveryFailed, "mail.drop", "expired before delivery")
	}
	if s.mailer == nil {
		return errors.New("no mailer configured")
	}
	plain, err := s.keys.Open(job.Sealed, []byte(job.ID))
	if err != nil {
		// Sealed under another key: retrying cannot help.
		return s.mailOutcome(ctx, job, DeliveryFailed, "mail.fail", "cannot decrypt queued message (secret key changed?)")
	}
	msg, err := decodeMessage(plain)
	if err != nil {
		return s.mailOutcome(ctx, job, DeliveryFailed, "mail.fail", "corrupt queued message")
	}
	err = s.mailer.Send(ctx, msg)
	switch {
	case err == nil:
		return s.mailOutcome(ctx, job, DeliverySent, "mail.send", "")
	case errors.Is(err, ErrMailPermanent) || attempt >= maxAttempts:
		return s.mailOutcome(ctx, job, DeliveryFailed, "mail.fail", reasonOf(err))
	}
	s.log.Warn("mail delivery failed; will retry", "job", job.ID, "kind", job.Type, "attempt", attempt, "err", reasonOf(err))
	if job.InvitationID != "" {
		if serr := s.store.SetMailDelivery(ctx, job.TenantID, job.InvitationID, job.ID, DeliveryQueued, reasonOf(err), s.clock.Now()); serr != nil {
			s.log.Error("record delivery state", "err", serr)
		}
	}
	return err
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

package guestpass_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

// outcomeFailingStore fails the first recording of a sent message, as a
// database that goes away between the SMTP server's "250 OK" and the
// outcome's commit.
type outcomeFailingStore struct {
	guestpass.Store
	guestpass.MailQueue // the wrapped store's, so mail is delivered
	failed              atomic.Bool
}

func (s *outcomeFailingStore) Update(ctx context.Context, fn func(tx guestpass.Tx) error) error {
	return s.Store.Update(ctx, func(tx guestpass.Tx) error { return fn(&outcomeFailingTx{Tx: tx, s: s}) })
}

type outcomeFailingTx struct {
	guestpass.Tx
	s *outcomeFailingStore
}

var errDatabaseGone = errors.New("database connection lost")

func (tx *outcomeFailingTx) SetMailDelivery(ctx context.Context, tenantID, invitationID, mailID string, state guestpass.DeliveryState, reason string, at time.Time) error {
	if state == guestpass.DeliverySent && tx.s.failed.CompareAndSwap(false, true) {
		return errDatabaseGone
	}
	return tx.Tx.SetMailDelivery(ctx, tenantID, invitationID, mailID, state, reason, at)
}

// A message the server accepted is not sent again when recording that
// failed: the queue's retry records the outcome only.
func TestDeliveryRecordFailureDoesNotResend(t *testing.T) {
	var wrapped *outcomeFailingStore
	e := newEnvOn(t, func(st guestpass.Store) guestpass.Store {
		wrapped = &outcomeFailingStore{Store: st, MailQueue: st.(guestpass.MailQueue)}
		return wrapped
	})
	inv := e.invite(t, "jo@fabrikam.com").Invitation
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := e.store.GetInvitation(t.Context(), e.tenant.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.DeliveryState == guestpass.DeliverySent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery state %q after 30 s, want sent", got.DeliveryState)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !wrapped.failed.Load() {
		t.Fatal("the first recording did not fail: the test proved nothing")
	}
	time.Sleep(200 * time.Millisecond) // room for a duplicate to show up
	if n := len(e.mailer.sent(guestpass.MailInvitation, "jo@fabrikam.com")); n != 1 {
		t.Fatalf("%d invitation emails, want exactly 1", n)
	}
}

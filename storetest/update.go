package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func mailJob(tb testing.TB, tenantID string) guestpass.MailJob {
	tb.Helper()
	return guestpass.MailJob{
		ID:       newID(tb),
		TenantID: tenantID,
		Type:     guestpass.MailCode,
		NotAfter: at(30 * time.Minute),
		Sealed:   []byte("sealed"),
	}
}

// wantMailJobs checks the queued mail when the store can count it.
func wantMailJobs(tb testing.TB, s guestpass.Store, want map[string]int) {
	tb.Helper()
	c, ok := s.(MailJobCounter)
	if !ok {
		return
	}
	got, err := c.MailJobCounts(tb.Context())
	must(tb, err)
	equal(tb, want, got)
}

func updateTests() []test {
	return []test{
		{"CommitKeepsEverything", func(t *testing.T, s guestpass.Store) {
			tn := newTenant(t, at(0))
			var g *guestpass.Guest
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				if err := tx.CreateTenant(t.Context(), tn); err != nil {
					return err
				}
				g = newGuest(t, tn.ID, "jo@fabrikam.com", at(0))
				if err := tx.CreateGuest(t.Context(), g); err != nil {
					return err
				}
				return tx.EnqueueMail(t.Context(), mailJob(t, tn.ID))
			})
			must(t, err)
			_, err = s.GetGuest(t.Context(), tn.ID, g.ID)
			must(t, err)
			wantMailJobs(t, s, map[string]int{"available": 1})
		}},
		{"ReadsOwnWrites", func(t *testing.T, s guestpass.Store) {
			tn := newTenant(t, at(0))
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				if err := tx.CreateTenant(t.Context(), tn); err != nil {
					return err
				}
				_, err := tx.GetTenant(t.Context(), tn.ID)
				return err
			})
			must(t, err)
		}},
		{"ErrorRollsBackEverything", func(t *testing.T, s guestpass.Store) {
			tn := newTenant(t, at(0))
			boom := errors.New("boom")
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				must(t, tx.CreateTenant(t.Context(), tn))
				must(t, tx.CreateGuest(t.Context(), newGuest(t, tn.ID, "jo@fabrikam.com", at(0))))
				must(t, tx.EnqueueMail(t.Context(), mailJob(t, tn.ID)))
				return boom
			})
			wantErr(t, err, boom)
			_, err = s.GetTenant(t.Context(), tn.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			wantMailJobs(t, s, map[string]int{})
		}},
		{"StoreErrorInsideIsReturned", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			other := newTenant(t, at(0))
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				must(t, tx.CreateTenant(t.Context(), other))
				return tx.CreateTenant(t.Context(), tn)
			})
			wantErr(t, err, guestpass.ErrConflict)
			_, err = s.GetTenant(t.Context(), other.ID)
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		// Writes whose outcome no caller reads may reach the database late
		// (the PostgreSQL store sends them with the next statement or the
		// commit): a later read must still see them, and their failure
		// must still fail the transaction.
		{"ReadsOwnLateWrites", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			e := newEvent(t, tn.ID, guestpass.AuditSignIn, at(0))
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				must(t, tx.AppendAudit(t.Context(), e))
				must(t, tx.SetLock(t.Context(), "k", at(time.Hour)))
				got, _, err := tx.ListAudit(t.Context(), tn.ID, "", guestpass.Page{Limit: 10})
				must(t, err)
				equal(t, []*guestpass.AuditEvent{e}, got)
				until, err := tx.LockedUntil(t.Context(), "k")
				must(t, err)
				equal(t, at(time.Hour), until)
				return nil
			})
			must(t, err)
		}},
		{"LateWriteErrorFailsEverything", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			e := newEvent(t, tn.ID, guestpass.AuditSignIn, at(0))
			must(t, s.AppendAudit(t.Context(), e))
			other := newGuest(t, tn.ID, "jo@fabrikam.com", at(0))
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				if err := tx.CreateGuest(t.Context(), other); err != nil {
					return err
				}
				if err := tx.AppendAudit(t.Context(), e); err != nil { // the same ID again
					return err
				}
				return tx.EnqueueMail(t.Context(), mailJob(t, tn.ID))
			})
			wantErr(t, err, guestpass.ErrConflict)
			_, err = s.GetGuest(t.Context(), tn.ID, other.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			wantMailJobs(t, s, map[string]int{})
			// The store is still usable: no connection was left mid-transaction.
			for range 10 {
				must(t, s.Update(t.Context(), func(tx guestpass.Tx) error {
					return tx.AppendAudit(t.Context(), newEvent(t, tn.ID, guestpass.AuditSignIn, at(0)))
				}))
			}
		}},
		{"EmptyUpdate", func(t *testing.T, s guestpass.Store) {
			must(t, s.Update(t.Context(), func(guestpass.Tx) error { return nil }))
		}},
		{"Ping", func(t *testing.T, s guestpass.Store) {
			must(t, s.Ping(t.Context()))
		}},
	}
}

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
		{"Ping", func(t *testing.T, s guestpass.Store) {
			must(t, s.Ping(t.Context()))
		}},
	}
}

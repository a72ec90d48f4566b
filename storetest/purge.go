package storetest

import (
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func purgeTests() []test {
	return []test{
		{"RemovesOnlyDeadRows", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			deadFlow, liveFlow := newFlow(t, tn.ID), newFlow(t, tn.ID)
			deadFlow.ExpiresAt, liveFlow.ExpiresAt = at(30*time.Minute), at(2*time.Hour)
			must(t, s.CreateFlow(t.Context(), deadFlow))
			must(t, s.CreateFlow(t.Context(), liveFlow))
			deadSession, liveSession := mustSession(t, s, g, at(30*time.Minute)), mustSession(t, s, g, at(2*time.Hour))
			must(t, s.RevokeSession(t.Context(), liveSession.TokenHash, at(0)))
			mustTake(t, s, "dead", at(0), time.Minute, 5)
			mustTake(t, s, "live", at(0), 2*time.Hour, 5)
			must(t, s.SetLock(t.Context(), "dead-lock", at(time.Minute)))
			must(t, s.SetLock(t.Context(), "live-lock", at(2*time.Hour)))

			n, err := s.PurgeExpired(t.Context(), at(time.Hour))
			must(t, err)
			if n != 4 {
				t.Fatalf("purged %d rows, want 4", n)
			}
			_, err = s.GetFlow(t.Context(), deadFlow.IDHash)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetSession(t.Context(), deadSession.TokenHash)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetFlow(t.Context(), liveFlow.IDHash)
			must(t, err)
			_, err = s.GetSession(t.Context(), liveSession.TokenHash)
			must(t, err)
			equal(t, take{true, 4}, mustTake(t, s, "dead", at(time.Hour), time.Minute, 5))
			equal(t, take{true, 3}, mustTake(t, s, "live", at(time.Hour), 2*time.Hour, 5))
			until, err := s.LockedUntil(t.Context(), "live-lock")
			must(t, err)
			if !until.Equal(at(2 * time.Hour)) {
				t.Fatalf("live lock until %v", until)
			}
		}},
		{"NothingToPurge", func(t *testing.T, s guestpass.Store) {
			n, err := s.PurgeExpired(t.Context(), at(0))
			must(t, err)
			if n != 0 {
				t.Fatalf("purged %d rows", n)
			}
		}},
	}
}

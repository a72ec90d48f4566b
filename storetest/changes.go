package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func changeTests() []test {
	return []test{
		{"SeqIncreasesAndReadsBackInOrder", func(t *testing.T, s guestpass.Store) {
			latest, err := s.LatestChangeSeq(t.Context())
			must(t, err)
			if latest != 0 {
				t.Fatalf("empty feed: latest %d", latest)
			}
			want := []guestpass.Change{
				{Kind: guestpass.ChangeSession, TenantID: "t1", GuestID: "g1", SessionID: "s1", At: at(0)},
				{Kind: guestpass.ChangeGuest, TenantID: "t1", GuestID: "g2", At: at(time.Second)},
				{Kind: guestpass.ChangeTenant, TenantID: "t2", At: at(2 * time.Second)},
			}
			for i := range want {
				must(t, s.RecordChange(t.Context(), &want[i]))
				if i > 0 && want[i].Seq <= want[i-1].Seq {
					t.Fatalf("seq %d after %d", want[i].Seq, want[i-1].Seq)
				}
			}
			got, err := s.ChangesSince(t.Context(), 0, 10)
			must(t, err)
			equal(t, want, got)
			got, err = s.ChangesSince(t.Context(), want[0].Seq, 1)
			must(t, err)
			equal(t, want[1:2], got)
			latest, err = s.LatestChangeSeq(t.Context())
			must(t, err)
			if latest != want[2].Seq {
				t.Fatalf("latest %d, want %d", latest, want[2].Seq)
			}
		}},
		{"RolledBackChangeIsNotSeen", func(t *testing.T, s guestpass.Store) {
			boom := errors.New("boom")
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				must(t, tx.RecordChange(t.Context(), &guestpass.Change{Kind: guestpass.ChangeApps, TenantID: "t1", At: at(0)}))
				return boom
			})
			wantErr(t, err, boom)
			kept := guestpass.Change{Kind: guestpass.ChangeApps, TenantID: "t1", At: at(0)}
			must(t, s.Update(t.Context(), func(tx guestpass.Tx) error { return tx.RecordChange(t.Context(), &kept) }))
			got, err := s.ChangesSince(t.Context(), 0, 10)
			must(t, err)
			equal(t, []guestpass.Change{kept}, got)
		}},
		{"PurgeKeepsRetention", func(t *testing.T, s guestpass.Store) {
			old := guestpass.Change{Kind: guestpass.ChangeApps, TenantID: "t1", At: at(0)}
			recent := guestpass.Change{Kind: guestpass.ChangeApps, TenantID: "t1", At: at(time.Hour)}
			must(t, s.RecordChange(t.Context(), &old))
			must(t, s.RecordChange(t.Context(), &recent))
			_, err := s.PurgeExpired(t.Context(), at(time.Hour+guestpass.ChangeRetention-time.Minute))
			must(t, err)
			got, err := s.ChangesSince(t.Context(), 0, 10)
			must(t, err)
			equal(t, []guestpass.Change{recent}, got)
		}},
		{"SessionByIDIsTenantScoped", func(t *testing.T, s guestpass.Store) {
			tn, other := mustTenant(t, s), mustTenant(t, s)
			sess := mustSession(t, s, mustGuest(t, s, tn.ID, "jo@fabrikam.com"), at(time.Hour))
			got, err := s.GetSessionByID(t.Context(), tn.ID, sess.ID)
			must(t, err)
			equal(t, sess, got)
			_, err = s.GetSessionByID(t.Context(), other.ID, sess.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetSessionByID(t.Context(), tn.ID, "no-such-session")
			wantErr(t, err, guestpass.ErrNotFound)
		}},
	}
}

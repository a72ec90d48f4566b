package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/guestpass/guestpass"
)

func mustChallenge(tb testing.TB, s guestpass.Store, g *guestpass.Guest, binding string, kind guestpass.ChallengeKind, mac []byte) *guestpass.MFAChallenge {
	tb.Helper()
	c := &guestpass.MFAChallenge{Binding: binding, Kind: kind, TenantID: g.TenantID, GuestID: g.ID, MethodID: "m1",
		State: []byte("sealed"), CodeMAC: mac, CreatedAt: at(0), ExpiresAt: at(5 * time.Minute)}
	must(tb, s.PutMFAChallenge(tb.Context(), c))
	return c
}

func challengeTests() []test {
	return []test{
		{"PutGetReplace", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			c := mustChallenge(t, s, g, "flow:aa", guestpass.ChallengeSMS, []byte("mac1"))
			got, err := s.GetMFAChallenge(t.Context(), "flow:aa", guestpass.ChallengeSMS)
			must(t, err)
			if diff := cmp.Diff(c, got); diff != "" {
				t.Fatalf("read back (-want +got):\n%s", diff)
			}
			wantErr(t, func() error {
				_, err := s.GetMFAChallenge(t.Context(), "flow:aa", guestpass.ChallengePasskeyGet)
				return err
			}(), guestpass.ErrNotFound)
			wantErr(t, func() error { _, err := s.GetMFAChallenge(t.Context(), "flow:bb", guestpass.ChallengeSMS); return err }(), guestpass.ErrNotFound)
			// A new one of the same binding and kind replaces it, attempts and all.
			_, err = s.CountMFAChallengeAttempt(t.Context(), "flow:aa", guestpass.ChallengeSMS, 5)
			must(t, err)
			repl := &guestpass.MFAChallenge{Binding: "flow:aa", Kind: guestpass.ChallengeSMS, TenantID: tn.ID, GuestID: g.ID,
				State: []byte("other"), CodeMAC: []byte("mac2"), CreatedAt: at(time.Minute), ExpiresAt: at(10 * time.Minute)}
			must(t, s.PutMFAChallenge(t.Context(), repl))
			got, err = s.GetMFAChallenge(t.Context(), "flow:aa", guestpass.ChallengeSMS)
			must(t, err)
			if diff := cmp.Diff(repl, got); diff != "" {
				t.Fatalf("replaced (-want +got):\n%s", diff)
			}
			// Without a code MAC (a passkey ceremony) it reads back as nil.
			pk := mustChallenge(t, s, g, "flow:aa", guestpass.ChallengePasskeyGet, nil)
			if got, _ := s.GetMFAChallenge(t.Context(), "flow:aa", guestpass.ChallengePasskeyGet); got == nil || got.CodeMAC != nil || string(got.State) != string(pk.State) {
				t.Fatalf("passkey challenge = %+v", got)
			}
		}},
		{"TakeOnceEvenWhenRacing", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			mustChallenge(t, s, g, "session:s1", guestpass.ChallengePasskeyCreate, nil)
			won := race(t, 8, func() (bool, error) {
				c, err := s.TakeMFAChallenge(context.Background(), "session:s1", guestpass.ChallengePasskeyCreate)
				if err != nil && !isNotFound(err) {
					return false, err
				}
				return c != nil && c.GuestID == g.ID, nil
			})
			if won != 1 {
				t.Fatalf("%d callers took the challenge", won)
			}
			wantErr(t, func() error {
				_, err := s.GetMFAChallenge(t.Context(), "session:s1", guestpass.ChallengePasskeyCreate)
				return err
			}(), guestpass.ErrNotFound)
		}},
		{"AttemptsBoundedWhenRacing", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			mustChallenge(t, s, g, "flow:cc", guestpass.ChallengeSMS, []byte("mac"))
			won := race(t, 9, func() (bool, error) {
				c, err := s.CountMFAChallengeAttempt(context.Background(), "flow:cc", guestpass.ChallengeSMS, 5)
				if err != nil && !isNotFound(err) {
					return false, err
				}
				return c != nil, nil
			})
			if won != 5 {
				t.Fatalf("%d attempts counted, want 5", won)
			}
			c, err := s.GetMFAChallenge(t.Context(), "flow:cc", guestpass.ChallengeSMS)
			if err != nil || c.Attempts != 5 {
				t.Fatalf("after the race: %+v %v", c, err)
			}
		}},
		{"ConsumeOnceWithTheRightMAC", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			mustChallenge(t, s, g, "flow:dd", guestpass.ChallengeSMS, []byte("mac"))
			if ok, err := s.ConsumeMFAChallenge(t.Context(), "flow:dd", guestpass.ChallengeSMS, []byte("other")); ok || err != nil {
				t.Fatalf("wrong mac consumed: %v %v", ok, err)
			}
			if ok, err := s.ConsumeMFAChallenge(t.Context(), "flow:dd", guestpass.ChallengeSMS, nil); ok || err != nil {
				t.Fatalf("empty mac consumed: %v %v", ok, err)
			}
			won := race(t, 8, func() (bool, error) {
				return s.ConsumeMFAChallenge(context.Background(), "flow:dd", guestpass.ChallengeSMS, []byte("mac"))
			})
			if won != 1 {
				t.Fatalf("%d callers consumed the code", won)
			}
		}},
		{"PurgeAndGuestDeletion", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			mustChallenge(t, s, g, "flow:ee", guestpass.ChallengeSMS, []byte("mac")) // expires at 5 min
			late := &guestpass.MFAChallenge{Binding: "flow:ff", Kind: guestpass.ChallengeSMS, TenantID: tn.ID, GuestID: g.ID,
				State: []byte("x"), CreatedAt: at(0), ExpiresAt: at(time.Hour)}
			must(t, s.PutMFAChallenge(t.Context(), late))
			_, err := s.PurgeExpired(t.Context(), at(6*time.Minute))
			must(t, err)
			wantErr(t, func() error { _, err := s.GetMFAChallenge(t.Context(), "flow:ee", guestpass.ChallengeSMS); return err }(), guestpass.ErrNotFound)
			if _, err := s.GetMFAChallenge(t.Context(), "flow:ff", guestpass.ChallengeSMS); err != nil {
				t.Fatalf("purge removed a live challenge: %v", err)
			}
			must(t, s.DeleteGuest(t.Context(), tn.ID, g.ID))
			wantErr(t, func() error { _, err := s.GetMFAChallenge(t.Context(), "flow:ff", guestpass.ChallengeSMS); return err }(), guestpass.ErrNotFound)
		}},
	}
}

func isNotFound(err error) bool { return errors.Is(err, guestpass.ErrNotFound) }

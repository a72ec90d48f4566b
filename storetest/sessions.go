package storetest

import (
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func sessionTests() []test {
	return []test{
		{"CreateThenGet", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			want := newSession(t, mustGuest(t, s, tn.ID, "jo@fabrikam.com"), at(24*time.Hour))
			must(t, s.CreateSession(t.Context(), want))
			got, err := s.GetSession(t.Context(), want.TokenHash)
			must(t, err)
			equal(t, want, got)
		}},
		{"ByProxyTokenSharesTheRow", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			want := mustSession(t, s, g, at(24*time.Hour))
			legacy := newSession(t, g, at(time.Hour))
			legacy.ProxyTokenHash = nil // sessions from before forward auth
			must(t, s.CreateSession(t.Context(), legacy))
			got, err := s.GetSessionByProxyToken(t.Context(), want.ProxyTokenHash)
			must(t, err)
			equal(t, want, got)
			_, err = s.GetSessionByProxyToken(t.Context(), want.TokenHash)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetSessionByProxyToken(t.Context(), randomHash(t))
			wantErr(t, err, guestpass.ErrNotFound)
			must(t, s.RevokeSession(t.Context(), want.TokenHash, at(time.Minute)))
			got, err = s.GetSessionByProxyToken(t.Context(), want.ProxyTokenHash)
			must(t, err)
			if !got.RevokedAt.Equal(at(time.Minute)) {
				t.Fatalf("revoking the session left its proxy token live: revoked at %v", got.RevokedAt)
			}
			dup := newSession(t, g, at(time.Hour))
			dup.ProxyTokenHash = want.ProxyTokenHash
			wantErr(t, s.CreateSession(t.Context(), dup), guestpass.ErrConflict)
		}},
		{"UnknownIsNotFound", func(t *testing.T, s guestpass.Store) {
			_, err := s.GetSession(t.Context(), randomHash(t))
			wantErr(t, err, guestpass.ErrNotFound)
			wantErr(t, s.RevokeSession(t.Context(), randomHash(t), at(0)), guestpass.ErrNotFound)
		}},
		{"DuplicateIsConflict", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			sess := mustSession(t, s, mustGuest(t, s, tn.ID, "jo@fabrikam.com"), at(time.Hour))
			wantErr(t, s.CreateSession(t.Context(), sess), guestpass.ErrConflict)
		}},
		{"UnknownGuestIsNotFound", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := newGuest(t, tn.ID, "jo@fabrikam.com", at(0))
			wantErr(t, s.CreateSession(t.Context(), newSession(t, g, at(time.Hour))), guestpass.ErrNotFound)
		}},
		{"RevokeOneStaysReadable", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			sess, other := mustSession(t, s, g, at(time.Hour)), mustSession(t, s, g, at(time.Hour))
			must(t, s.RevokeSession(t.Context(), sess.TokenHash, at(time.Minute)))
			must(t, s.RevokeSession(t.Context(), sess.TokenHash, at(2*time.Minute)))
			got, err := s.GetSession(t.Context(), sess.TokenHash)
			must(t, err)
			sess.RevokedAt = at(time.Minute)
			equal(t, sess, got)
			got, err = s.GetSession(t.Context(), other.TokenHash)
			must(t, err)
			if !got.RevokedAt.IsZero() {
				t.Fatal("revoking one session revoked another")
			}
		}},
		{"RevokeGuestSessionsCountsLiveOnes", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g, other := mustGuest(t, s, tn.ID, "jo@fabrikam.com"), mustGuest(t, s, tn.ID, "al@fabrikam.com")
			live1, live2 := mustSession(t, s, g, at(time.Hour)), mustSession(t, s, g, at(time.Hour))
			expired := mustSession(t, s, g, at(time.Minute))
			revoked := mustSession(t, s, g, at(time.Hour))
			must(t, s.RevokeSession(t.Context(), revoked.TokenHash, at(0)))
			bystander := mustSession(t, s, other, at(time.Hour))

			n, err := s.RevokeGuestSessions(t.Context(), tn.ID, g.ID, at(30*time.Minute))
			must(t, err)
			if n != 2 {
				t.Fatalf("revoked %d, want 2", n)
			}
			for sess, want := range map[*guestpass.Session]time.Time{
				live1: at(30 * time.Minute), live2: at(30 * time.Minute),
				expired: {}, revoked: at(0), bystander: {},
			} {
				got, err := s.GetSession(t.Context(), sess.TokenHash)
				must(t, err)
				if !got.RevokedAt.Equal(want) {
					t.Errorf("session %s revoked at %v, want %v", sess.ID, got.RevokedAt, want)
				}
			}
			n, err = s.RevokeGuestSessions(t.Context(), tn.ID, g.ID, at(31*time.Minute))
			must(t, err)
			if n != 0 {
				t.Fatalf("second revocation revoked %d", n)
			}
		}},
		{"RevokeGuestSessionsIsScopedByTenant", func(t *testing.T, s guestpass.Store) {
			a, b := mustTenant(t, s), mustTenant(t, s)
			g := mustGuest(t, s, a.ID, "jo@fabrikam.com")
			mustSession(t, s, g, at(time.Hour))
			n, err := s.RevokeGuestSessions(t.Context(), b.ID, g.ID, at(0))
			must(t, err)
			if n != 0 {
				t.Fatalf("revoked %d sessions through another tenant", n)
			}
		}},
	}
}

package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func newAuthRequest(tb testing.TB, tenantID string, expires time.Time) *guestpass.OIDCAuthRequest {
	tb.Helper()
	return &guestpass.OIDCAuthRequest{ID: newID(tb), TenantID: tenantID, ClientID: newID(tb),
		RedirectURI: "https://app.fabrikam.com/cb", Scopes: []string{"openid", "email"}, State: "st",
		Nonce: "n", ResponseType: "code", ResponseMode: "query", CodeChallenge: "abc",
		CodeChallengeMethod: "S256", Prompt: []string{"login"}, MaxAge: -1, LoginHint: "jo@fabrikam.com",
		CreatedAt: at(0), ExpiresAt: expires}
}

func newRefreshToken(tb testing.TB, tenantID string, expires time.Time) *guestpass.OIDCRefreshToken {
	tb.Helper()
	return &guestpass.OIDCRefreshToken{TokenHash: randomHash(tb), TenantID: tenantID, ClientID: newID(tb),
		SessionID: newID(tb), GrantID: newID(tb), GuestID: newID(tb), Scopes: []string{"openid", "offline_access"},
		AMR: []string{"otp"}, AuthTime: at(0), CreatedAt: at(0), ExpiresAt: expires}
}

func oidcTests() []test {
	return []test{
		{"SigningKeys", func(t *testing.T, s guestpass.Store) {
			rs := &guestpass.SigningKey{ID: newID(t), Alg: "RS256", Generation: 1, Sealed: randomHash(t),
				ActiveFrom: at(0), CreatedAt: at(0)}
			es := &guestpass.SigningKey{ID: newID(t), Alg: "ES256", Generation: 1, Sealed: randomHash(t),
				ActiveFrom: at(0), CreatedAt: at(0)}
			must(t, s.CreateSigningKey(t.Context(), rs))
			must(t, s.CreateSigningKey(t.Context(), es))
			dup := *rs
			dup.ID = newID(t)
			wantErr(t, s.CreateSigningKey(t.Context(), &dup), guestpass.ErrConflict)
			got, err := s.ListSigningKeys(t.Context())
			must(t, err)
			equal(t, []*guestpass.SigningKey{es, rs}, got)

			must(t, s.RetireSigningKey(t.Context(), rs.ID, at(time.Hour)))
			must(t, s.RetireSigningKey(t.Context(), rs.ID, at(2*time.Hour))) // keeps the first time
			rs.RetiredAt = at(time.Hour)
			got, err = s.ListSigningKeys(t.Context())
			must(t, err)
			equal(t, []*guestpass.SigningKey{es, rs}, got)
			must(t, s.DeleteSigningKey(t.Context(), rs.ID))
			wantErr(t, s.DeleteSigningKey(t.Context(), rs.ID), guestpass.ErrNotFound)
			wantErr(t, s.RetireSigningKey(t.Context(), rs.ID, at(0)), guestpass.ErrNotFound)
		}},
		{"AuthRequestLifecycle", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			r := newAuthRequest(t, tn.ID, at(time.Hour))
			must(t, s.CreateOIDCAuthRequest(t.Context(), r))
			got, err := s.GetOIDCAuthRequest(t.Context(), r.ID)
			must(t, err)
			equal(t, r, got)

			r.SessionID, r.GuestID, r.AuthTime, r.AMR, r.IDP, r.Done = newID(t), newID(t), at(time.Minute), []string{"otp", "mfa"}, "mail", true
			r.CodeHash, r.ExpiresAt = randomHash(t), at(5*time.Minute)
			must(t, s.UpdateOIDCAuthRequest(t.Context(), r))
			got, err = s.GetOIDCAuthRequest(t.Context(), r.ID)
			must(t, err)
			equal(t, r, got)

			_, err = s.ConsumeOIDCCode(t.Context(), randomHash(t), at(2*time.Minute))
			wantErr(t, err, guestpass.ErrNotFound)
			got, err = s.ConsumeOIDCCode(t.Context(), r.CodeHash, at(2*time.Minute))
			must(t, err)
			r.CodeUsedAt = at(2 * time.Minute)
			equal(t, r, got)
			// A second use is told apart from an unknown code, and names the
			// grant whose tokens it revokes; the first use time stays.
			got, err = s.ConsumeOIDCCode(t.Context(), r.CodeHash, at(3*time.Minute))
			wantErr(t, err, guestpass.ErrConflict)
			equal(t, r, got)
			// The used request stays (op's delete after the exchange is
			// refused) until it expires.
			wantErr(t, s.DeleteOIDCAuthRequest(t.Context(), r.ID), guestpass.ErrNotFound)
			got, err = s.GetOIDCAuthRequest(t.Context(), r.ID)
			must(t, err)
			equal(t, r, got)
			n, err := s.PurgeExpired(t.Context(), at(6*time.Minute))
			must(t, err)
			if n != 1 {
				t.Fatalf("purged %d rows, want the used request", n)
			}
			_, err = s.ConsumeOIDCCode(t.Context(), r.CodeHash, at(7*time.Minute))
			wantErr(t, err, guestpass.ErrNotFound)
			wantErr(t, s.UpdateOIDCAuthRequest(t.Context(), r), guestpass.ErrNotFound)
		}},
		{"CodeWorksOnceEvenWhenRacing", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			r := newAuthRequest(t, tn.ID, at(time.Hour))
			r.CodeHash, r.Done = randomHash(t), true
			must(t, s.CreateOIDCAuthRequest(t.Context(), r))
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got, err := s.ConsumeOIDCCode(context.Background(), r.CodeHash, at(time.Minute))
					if got == nil || got.ID != r.ID {
						t.Errorf("consume returned %v, %v", got, err)
					}
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			wins := 0
			for err := range errs {
				switch {
				case err == nil:
					wins++
				case !errors.Is(err, guestpass.ErrConflict):
					t.Errorf("a losing exchange got %v, want ErrConflict", err)
				}
			}
			if wins != 1 {
				t.Fatalf("%d exchanges of one code won", wins)
			}
		}},
		{"AuthRequestWithoutUsedCodeIsDeleted", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			r := newAuthRequest(t, tn.ID, at(time.Hour))
			r.CodeHash = randomHash(t)
			must(t, s.CreateOIDCAuthRequest(t.Context(), r))
			must(t, s.DeleteOIDCAuthRequest(t.Context(), r.ID))
			_, err := s.GetOIDCAuthRequest(t.Context(), r.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.ConsumeOIDCCode(t.Context(), r.CodeHash, at(0))
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		{"AuthRequestWithoutCodeIsNotConsumable", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			a, b := newAuthRequest(t, tn.ID, at(time.Hour)), newAuthRequest(t, tn.ID, at(time.Hour))
			must(t, s.CreateOIDCAuthRequest(t.Context(), a))
			must(t, s.CreateOIDCAuthRequest(t.Context(), b)) // two without codes: NULL is not a duplicate
			_, err := s.ConsumeOIDCCode(t.Context(), nil, at(0))
			wantErr(t, err, guestpass.ErrNotFound)
			must(t, s.DeleteOIDCAuthRequest(t.Context(), a.ID))
		}},
		{"RefreshTokens", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			rt := newRefreshToken(t, tn.ID, at(24*time.Hour))
			must(t, s.CreateOIDCRefreshToken(t.Context(), rt))
			wantErr(t, s.CreateOIDCRefreshToken(t.Context(), rt), guestpass.ErrConflict)
			got, err := s.GetOIDCRefreshToken(t.Context(), rt.TokenHash)
			must(t, err)
			equal(t, rt, got)
			must(t, s.DeleteOIDCRefreshToken(t.Context(), rt.TokenHash))
			wantErr(t, s.DeleteOIDCRefreshToken(t.Context(), rt.TokenHash), guestpass.ErrNotFound)
			_, err = s.GetOIDCRefreshToken(t.Context(), rt.TokenHash)
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		{"RefreshTokensOfAGrant", func(t *testing.T, s guestpass.Store) {
			tn, other := mustTenant(t, s), mustTenant(t, s)
			a, b := newRefreshToken(t, tn.ID, at(time.Hour)), newRefreshToken(t, tn.ID, at(time.Hour))
			b.GrantID = a.GrantID // rotated: same grant
			c := newRefreshToken(t, tn.ID, at(time.Hour))
			d := newRefreshToken(t, other.ID, at(time.Hour))
			d.GrantID = a.GrantID // another tenant's: untouched
			for _, rt := range []*guestpass.OIDCRefreshToken{a, b, c, d} {
				must(t, s.CreateOIDCRefreshToken(t.Context(), rt))
			}
			n, err := s.DeleteOIDCGrantRefreshTokens(t.Context(), tn.ID, a.GrantID)
			must(t, err)
			if n != 2 {
				t.Fatalf("deleted %d refresh tokens of the grant, want 2", n)
			}
			for _, gone := range []*guestpass.OIDCRefreshToken{a, b} {
				_, err := s.GetOIDCRefreshToken(t.Context(), gone.TokenHash)
				wantErr(t, err, guestpass.ErrNotFound)
			}
			for _, kept := range []*guestpass.OIDCRefreshToken{c, d} {
				got, err := s.GetOIDCRefreshToken(t.Context(), kept.TokenHash)
				must(t, err)
				equal(t, kept, got)
			}
			n, err = s.DeleteOIDCGrantRefreshTokens(t.Context(), tn.ID, a.GrantID)
			must(t, err)
			if n != 0 {
				t.Fatalf("deleted %d again", n)
			}
		}},
		{"RevokeSessionGrant", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			sess := mustSession(t, s, mustGuest(t, s, tn.ID, "jo@fabrikam.com"), at(time.Hour))
			must(t, s.RevokeSessionGrant(t.Context(), tn.ID, sess.ID, "grant-a"))
			must(t, s.RevokeSessionGrant(t.Context(), tn.ID, sess.ID, "grant-b"))
			must(t, s.RevokeSessionGrant(t.Context(), tn.ID, sess.ID, "grant-a")) // once
			sess.RevokedGrants = []string{"grant-a", "grant-b"}
			got, err := s.GetSessionByID(t.Context(), tn.ID, sess.ID)
			must(t, err)
			equal(t, sess, got)
			if !got.GrantRevoked("grant-b") || got.GrantRevoked("grant-c") {
				t.Fatalf("GrantRevoked on %v", got.RevokedGrants)
			}
			got, err = s.GetSession(t.Context(), sess.TokenHash)
			must(t, err)
			equal(t, sess, got)
			wantErr(t, s.RevokeSessionGrant(t.Context(), tn.ID, newID(t), "grant-a"), guestpass.ErrNotFound)
			wantErr(t, s.RevokeSessionGrant(t.Context(), mustTenant(t, s).ID, sess.ID, "grant-a"), guestpass.ErrNotFound)
		}},
		{"PurgeRemovesExpired", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			deadReq, liveReq := newAuthRequest(t, tn.ID, at(30*time.Minute)), newAuthRequest(t, tn.ID, at(2*time.Hour))
			deadRT, liveRT := newRefreshToken(t, tn.ID, at(30*time.Minute)), newRefreshToken(t, tn.ID, at(2*time.Hour))
			for _, r := range []*guestpass.OIDCAuthRequest{deadReq, liveReq} {
				must(t, s.CreateOIDCAuthRequest(t.Context(), r))
			}
			for _, r := range []*guestpass.OIDCRefreshToken{deadRT, liveRT} {
				must(t, s.CreateOIDCRefreshToken(t.Context(), r))
			}
			n, err := s.PurgeExpired(t.Context(), at(time.Hour))
			must(t, err)
			if n != 2 {
				t.Fatalf("purged %d rows, want 2", n)
			}
			_, err = s.GetOIDCAuthRequest(t.Context(), deadReq.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetOIDCRefreshToken(t.Context(), deadRT.TokenHash)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetOIDCAuthRequest(t.Context(), liveReq.ID)
			must(t, err)
			_, err = s.GetOIDCRefreshToken(t.Context(), liveRT.TokenHash)
			must(t, err)
		}},
	}
}

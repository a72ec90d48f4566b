package storetest

import (
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
		SessionID: newID(tb), GuestID: newID(tb), Scopes: []string{"openid", "offline_access"},
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

			_, err = s.ConsumeOIDCCode(t.Context(), randomHash(t))
			wantErr(t, err, guestpass.ErrNotFound)
			got, err = s.ConsumeOIDCCode(t.Context(), r.CodeHash)
			must(t, err)
			equal(t, r, got)
			_, err = s.ConsumeOIDCCode(t.Context(), r.CodeHash)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetOIDCAuthRequest(t.Context(), r.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			wantErr(t, s.DeleteOIDCAuthRequest(t.Context(), r.ID), guestpass.ErrNotFound)
			wantErr(t, s.UpdateOIDCAuthRequest(t.Context(), r), guestpass.ErrNotFound)
		}},
		{"AuthRequestWithoutCodeIsNotConsumable", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			a, b := newAuthRequest(t, tn.ID, at(time.Hour)), newAuthRequest(t, tn.ID, at(time.Hour))
			must(t, s.CreateOIDCAuthRequest(t.Context(), a))
			must(t, s.CreateOIDCAuthRequest(t.Context(), b)) // two without codes: NULL is not a duplicate
			_, err := s.ConsumeOIDCCode(t.Context(), nil)
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

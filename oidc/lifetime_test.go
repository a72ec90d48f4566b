package oidc_test

import (
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/guestpass/guestpass"
	"golang.org/x/oauth2"
)

// TestRefreshTokenOnlyWithOfflineAccess: a grant without offline_access
// gets no refresh token; the refresh token of one that has it expires
// with the session and is refused after it.
func TestRefreshTokenOnlyWithOfflineAccess(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	r := newRP(t, env, tn, guestpass.AppInput{})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	ctx := t.Context()
	online := r.oauth
	online.Scopes = []string{gooidc.ScopeOpenID, "email"}
	r.code(t, b, "jo@fabrikam.com")
	pkce := oauth2.GenerateVerifier()
	loc, _ := r.authorize(t, b, "", online.AuthCodeURL("s", oauth2.S256ChallengeOption(pkce)))
	tok, err := online.Exchange(ctx, mustURL(t, loc).Query().Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != "" {
		t.Fatal("a refresh token without offline_access")
	}
	code, pkce := r.code(t, b, "")
	tok, err = r.oauth.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("offline_access: %v %+v", err, tok)
	}
	if time.Until(tok.Expiry) > time.Hour+time.Minute {
		t.Errorf("access token lives until %v", tok.Expiry)
	}
	// 20 minutes before the session ends, a new grant's access token is
	// cut to the session's end.
	env.Clock.Advance(24*time.Hour - 20*time.Minute)
	code, pkce = r.code(t, b, "")
	late, err := r.oauth.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatal(err)
	}
	// op counts expires_in from the wall clock, the session from the fake
	// one: the bound is the session's end as seen from the wall clock.
	sessionEnd := env.Clock.Now().Add(20 * time.Minute)
	if bound := int64(time.Until(sessionEnd).Seconds()) + 1; late.ExpiresIn > bound {
		t.Fatalf("access token expires in %ds, after the session (%ds)", late.ExpiresIn, bound)
	}
	env.Clock.Advance(20 * time.Minute) // the session is over
	for _, rt := range []string{tok.RefreshToken, late.RefreshToken} {
		_, err = r.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: rt}).Token()
		if oauthErr(err) != "invalid_grant" {
			t.Fatalf("refresh after the session ended: %v", err)
		}
	}
}

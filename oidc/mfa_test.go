package oidc_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"golang.org/x/oauth2"
)

// TestAppRequiresMFA: an app with requireMfa gets only sessions that
// proved a second factor. A guest signed in with the email code alone is
// sent through sign-in again, for that app, and asked for TOTP (registered
// on the way, codes from oathtool); prompt=none answers login_required;
// refresh and access tokens of an app that turns requireMfa on stop
// working for sessions without it.
func TestAppRequiresMFA(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso") // the tenant itself does not require MFA
	on := true
	strict := newRP(t, env, tn, guestpass.AppInput{RequireMFA: &on})
	plain := newRP(t, env, tn, guestpass.AppInput{})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	ctx := t.Context()

	code, pkce := plain.code(t, b, "jo@fabrikam.com")
	if c, _ := plain.claims(t, code, pkce); !slices.Equal(c.AMR, []string{"otp"}) {
		t.Fatalf("plain app: amr %v", c.AMR)
	}

	// The email-code session does not reach the strict app without
	// interaction...
	loc, _ := strict.authorize(t, b, "", strict.oauth.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("prompt", "none")))
	if q := mustURL(t, loc).Query(); q.Get("error") != "login_required" || q.Get("state") != "s" || q.Get("code") != "" {
		t.Fatalf("prompt=none without the required second factor: %s", loc)
	}
	// ...and with it, the guest signs in again and proves a second factor.
	env.Clock.Advance(time.Minute)
	before := len(env.SMTP.Messages())
	code, pkce = strict.code(t, b, "jo@fabrikam.com")
	c, _ := strict.claims(t, code, pkce)
	amr := c.AMR
	if len(env.SMTP.Messages()) == before || strict.totp == "" {
		t.Fatal("the strict app was reached without a new sign-in and second factor")
	}
	if !slices.Contains(amr, "mfa") || !slices.Contains(amr, "otp") {
		t.Fatalf("strict app: amr %v, want otp and mfa", amr)
	}
	// The new session has the factor: prompt=none now works.
	strict.code(t, b, "", oauth2.SetAuthURLParam("prompt", "none"))

	t.Run("NotAskedWhereNotAssigned", func(t *testing.T) {
		other := invite(t, env, tn, "al@fabrikam.com")
		assigned := guestpass.AssignAssigned
		closed := newRP(t, env, tn, guestpass.AppInput{RequireMFA: &on, Assignment: &assigned, AssignedGuestIDs: &[]string{other.ID}})
		nb := env.Browser()
		plain.code(t, nb, "jo@fabrikam.com") // an email-code session in a new browser
		_, resp := closed.authorize(t, nb, "", closed.oauth.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if resp.Status != http.StatusForbidden || !strings.Contains(guestclient.Alert(resp.Body), "not been given access") {
			t.Fatalf("unassigned guest of an MFA app: %d %s", resp.Status, guestclient.Alert(resp.Body))
		}
	})

	t.Run("TokensStopWhenTheAppStartsRequiringMFA", func(t *testing.T) {
		code, pkce := plain.code(t, env.Browser(), "jo@fabrikam.com") // email code only
		_, tok := plain.claims(t, code, pkce)
		if _, err := plain.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
			t.Fatal(err) // works before the change (and rotates this token away)
		}
		code, pkce = plain.code(t, env.Browser(), "jo@fabrikam.com")
		_, tok = plain.claims(t, code, pkce)
		if _, err := plain.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Svc.UpdateApplication(ctx, env.Op, tn.ID, plain.app.ID, &guestpass.AppInput{RequireMFA: &on}); err != nil {
			t.Fatal(err)
		}
		if status, body := userinfoStatus(t, plain, tok); status != http.StatusForbidden || !strings.Contains(body, "second factor") {
			t.Fatalf("userinfo without a second factor for an app that now requires one: %d %s", status, body)
		}
		_, err := plain.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if oauthErr(err) != "invalid_grant" {
			t.Fatalf("refresh without a second factor for an app that now requires one: %v", err)
		}
	})
}

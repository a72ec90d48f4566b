package oidc_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/guestclient"
	"golang.org/x/oauth2"
)

func TestDiscoveryAndKeys(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	r := newRP(t, env, tn, guestpass.AppInput{})
	var d struct {
		Issuer        string   `json:"issuer"`
		Authz         string   `json:"authorization_endpoint"`
		Token         string   `json:"token_endpoint"`
		Userinfo      string   `json:"userinfo_endpoint"`
		JWKS          string   `json:"jwks_uri"`
		EndSession    string   `json:"end_session_endpoint"`
		AuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
		PKCE          []string `json:"code_challenge_methods_supported"`
		Algs          []string `json:"id_token_signing_alg_values_supported"`
		ResponseModes []string `json:"response_modes_supported"`
	}
	if err := r.provider.Claims(&d); err != nil {
		t.Fatal(err)
	}
	issuer := env.URL + "/t/" + tn.ID
	if d.Issuer != issuer {
		t.Fatalf("issuer %q, want %q", d.Issuer, issuer)
	}
	for _, ep := range []string{d.Authz, d.Token, d.Userinfo, d.JWKS, d.EndSession} {
		if !strings.HasPrefix(ep, issuer+"/") {
			t.Errorf("endpoint %q is not under the issuer", ep)
		}
	}
	for _, want := range [][2][]string{{d.AuthMethods, {"client_secret_basic", "client_secret_post", "none"}},
		{d.PKCE, {"S256"}}, {d.Algs, {"RS256", "ES256"}}} {
		for _, w := range want[1] {
			if !slices.Contains(want[0], w) {
				t.Errorf("discovery lists %v, missing %s", want[0], w)
			}
		}
	}
	resp, err := http.Get(d.JWKS)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks struct {
		Keys []struct {
			Kid, Alg, Kty, Use string
			D                  string `json:"d"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	var algs []string
	for _, k := range jwks.Keys {
		algs = append(algs, k.Alg)
		if k.D != "" {
			t.Fatal("JWKS publishes a private key")
		}
	}
	slices.Sort(algs)
	if !slices.Equal(algs, []string{"ES256", "RS256"}) {
		t.Fatalf("JWKS algs %v, want ES256 and RS256", algs)
	}
	// An unknown tenant has no issuer.
	resp2, err := http.Get(env.URL + "/t/nope/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown tenant discovery: %d", resp2.StatusCode)
	}
}

func TestCodeFlowUserinfoRefreshRevocation(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	r := newRP(t, env, tn, guestpass.AppInput{})
	g := invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	ctx := t.Context()

	code, pkce := r.code(t, b, "jo@fabrikam.com")
	tok, err := r.oauth.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	want := idClaims{Sub: g.ID, Email: "jo@fabrikam.com", EmailVerified: true, Name: "Jo Guest", TID: tn.ID,
		IDP: "mail", AMR: []string{"otp"}, AuthTime: c.AuthTime, Nonce: "n-0S6_WzA2Mj"}
	if !equalClaims(c, want) || c.AuthTime == 0 {
		t.Fatalf("ID token claims %+v, want %+v", c, want)
	}
	if tok.RefreshToken == "" {
		t.Fatal("offline_access gave no refresh token")
	}
	if time.Until(idt.Expiry) > 11*time.Minute {
		t.Errorf("ID token lives until %v", idt.Expiry)
	}

	info, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	var ic idClaims
	if err := info.Claims(&ic); err != nil {
		t.Fatal(err)
	}
	if info.Subject != g.ID || info.Email != "jo@fabrikam.com" || !info.EmailVerified || ic.TID != tn.ID || ic.IDP != "mail" {
		t.Fatalf("userinfo %+v / %+v", info, ic)
	}

	// Refresh rotates the refresh token; the old one is dead.
	fresh, err := r.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if fresh.RefreshToken == "" || fresh.RefreshToken == tok.RefreshToken || fresh.AccessToken == tok.AccessToken {
		t.Fatal("refresh did not rotate the tokens")
	}
	if rawID, _ := fresh.Extra("id_token").(string); rawID != "" {
		if _, err := r.verifier.Verify(ctx, rawID); err != nil {
			t.Fatalf("refreshed ID token: %v", err)
		}
	}
	_, err = r.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if oauthErr(err) != "invalid_grant" {
		t.Fatalf("old refresh token reused: %v", err)
	}

	// Revoking the guest's sessions ends userinfo and refresh at once.
	if _, err := env.Svc.RevokeGuestSessions(ctx, env.Op, tn.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(fresh)); err == nil {
		t.Fatal("userinfo answered after the guest's sessions were revoked")
	}
	_, err = r.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token()
	if oauthErr(err) != "invalid_grant" {
		t.Fatalf("refresh after revocation: %v", err)
	}
}

func equalClaims(a, b idClaims) bool {
	return a.Sub == b.Sub && a.Email == b.Email && a.EmailVerified == b.EmailVerified && a.Name == b.Name &&
		a.TID == b.TID && a.IDP == b.IDP && slices.Equal(a.AMR, b.AMR) && a.AuthTime == b.AuthTime && a.Nonce == b.Nonce
}

func TestClientSecretPostAndRotation(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	r := newRP(t, env, tn, guestpass.AppInput{})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	r.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams

	code, pkce := r.code(t, b, "jo@fabrikam.com")
	if _, err := r.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(pkce)); err != nil {
		t.Fatalf("client_secret_post: %v", err)
	}

	_, secret, err := env.Svc.RotateApplicationSecret(t.Context(), env.Op, tn.ID, r.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{secret, r.secret} { // the old one keeps working through the grace period
		r.oauth.ClientSecret = s
		code, pkce := r.code(t, b, "")
		if _, err := r.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(pkce)); err != nil {
			t.Fatalf("exchange after rotation: %v", err)
		}
	}
	env.Clock.Advance(25 * time.Hour)
	r.oauth.ClientSecret = r.secret
	// The session is gone too by now; a wrong secret is refused before
	// anything else, at the token endpoint, with invalid_client.
	_, err = r.oauth.Exchange(t.Context(), "no-such-code", oauth2.VerifierOption(pkce))
	if oauthErr(err) != "invalid_grant" && oauthErr(err) != "invalid_client" {
		t.Fatalf("expired secret: %v", err)
	}
}

func TestFailurePaths(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	r := newRP(t, env, tn, guestpass.AppInput{})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	ctx := t.Context()
	r.code(t, b, "jo@fabrikam.com") // signs the browser in

	t.Run("WrongRedirectURIAtAuthorize", func(t *testing.T) {
		for _, bad := range []string{"http://127.0.0.1:9/callback/x", "http://127.0.0.1:9/callbac", "https://evil.example/callback", "http://127.0.0.1:9/callback?x=1"} {
			o := r.oauth
			o.RedirectURL = bad
			resp := get(t, b, o.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			if resp.Status != http.StatusBadRequest || resp.Location != "" {
				t.Errorf("redirect_uri %s: %d %s", bad, resp.Status, resp.Location)
			}
		}
	})
	t.Run("WrongRedirectURIAtToken", func(t *testing.T) {
		code, pkce := r.code(t, b, "")
		o := r.oauth
		o.RedirectURL = "http://127.0.0.1:9/other"
		if _, err := o.Exchange(ctx, code, oauth2.VerifierOption(pkce)); oauthErr(err) != "invalid_grant" {
			t.Fatalf("exchange with another redirect_uri: %v", err)
		}
	})
	t.Run("MissingVerifier", func(t *testing.T) {
		code, _ := r.code(t, b, "")
		if _, err := r.oauth.Exchange(ctx, code); oauthErr(err) != "invalid_request" {
			t.Fatalf("exchange without code_verifier: %v", err)
		}
	})
	t.Run("WrongVerifier", func(t *testing.T) {
		code, _ := r.code(t, b, "")
		if _, err := r.oauth.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); oauthErr(err) != "invalid_grant" {
			t.Fatalf("exchange with a wrong code_verifier: %v", err)
		}
	})
	t.Run("ReusedCodeRevokesItsTokens", func(t *testing.T) {
		other, otherPKCE := r.code(t, b, "") // another grant of the same session
		kept, err := r.oauth.Exchange(ctx, other, oauth2.VerifierOption(otherPKCE))
		if err != nil {
			t.Fatal(err)
		}
		code, pkce := r.code(t, b, "")
		first, err := r.oauth.Exchange(ctx, code, oauth2.VerifierOption(pkce))
		if err != nil {
			t.Fatal(err)
		}
		refreshed, err := r.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.oauth.Exchange(ctx, code, oauth2.VerifierOption(pkce)); oauthErr(err) != "invalid_grant" {
			t.Fatalf("second exchange of one code: %v", err)
		}
		// Everything the first exchange issued, and its rotated refresh
		// token, is dead (RFC 6749 §4.1.2)...
		for name, tok := range map[string]*oauth2.Token{"first": first, "refreshed": refreshed} {
			if _, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
				t.Errorf("userinfo accepted the %s access token of a replayed code", name)
			}
		}
		_, err = r.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshed.RefreshToken}).Token()
		if oauthErr(err) != "invalid_grant" {
			t.Fatalf("refresh token of a replayed code: %v", err)
		}
		// ...while the guest's session and its other grants live on.
		if _, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(kept)); err != nil {
			t.Fatalf("another grant of the session: %v", err)
		}
		if _, err := r.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: kept.RefreshToken}).Token(); err != nil {
			t.Fatalf("another grant's refresh token: %v", err)
		}
		r.code(t, b, "") // no new sign-in needed
		events, _, err := env.Svc.ListAudit(ctx, env.Op, tn.ID, guestpass.AuditSignIn, guestpass.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(events, func(e *guestpass.AuditEvent) bool { return e.Reason == "code_reused" && e.Detail == r.app.ID }) {
			t.Fatal("the replay is not in the sign-in log")
		}
	})
	t.Run("ExpiredCode", func(t *testing.T) {
		code, pkce := r.code(t, b, "")
		env.Clock.Advance(5*time.Minute + time.Second)
		if _, err := r.oauth.Exchange(ctx, code, oauth2.VerifierOption(pkce)); oauthErr(err) != "invalid_grant" {
			t.Fatalf("exchange of an expired code: %v", err)
		}
	})
	t.Run("WrongClientSecret", func(t *testing.T) {
		code, pkce := r.code(t, b, "")
		o := r.oauth
		o.ClientSecret = "wrong" + r.secret
		if _, err := o.Exchange(ctx, code, oauth2.VerifierOption(pkce)); oauthErr(err) != "invalid_client" {
			t.Fatalf("exchange with a wrong secret: %v", err)
		}
		o.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		code, pkce = r.code(t, b, "")
		if _, err := o.Exchange(ctx, code, oauth2.VerifierOption(pkce)); oauthErr(err) != "invalid_client" {
			t.Fatalf("exchange with a wrong posted secret: %v", err)
		}
	})
	t.Run("PlainPKCERefused", func(t *testing.T) {
		u := r.oauth.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"),
			oauth2.SetAuthURLParam("code_challenge_method", "plain"))
		loc, _ := r.authorize(t, b, "", u)
		if q := mustURL(t, loc).Query(); q.Get("error") != "invalid_request" || q.Get("code") != "" {
			t.Fatalf("plain PKCE: %s", loc)
		}
	})
	t.Run("UnknownClient", func(t *testing.T) {
		o := r.oauth
		o.ClientID = "no-such-client"
		resp := get(t, b, o.AuthCodeURL("s"))
		if resp.Status != http.StatusBadRequest || resp.Location != "" {
			t.Fatalf("unknown client: %d %s", resp.Status, resp.Location)
		}
	})
}

func TestPublicClientNeedsPKCE(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	public := true
	r := newRP(t, env, tn, guestpass.AppInput{Public: &public})
	r.oauth.ClientSecret = ""
	r.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()

	code, pkce := r.code(t, b, "jo@fabrikam.com")
	if _, err := r.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(pkce)); err != nil {
		t.Fatalf("public client with PKCE: %v", err)
	}
	loc, _ := r.authorize(t, b, "", r.oauth.AuthCodeURL("s"))
	if q := mustURL(t, loc).Query(); q.Get("error") != "invalid_request" || q.Get("state") != "s" {
		t.Fatalf("public client without PKCE: %s", loc)
	}
}

func TestFormPost(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	r := newRP(t, env, tn, guestpass.AppInput{})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	pkce := oauth2.GenerateVerifier()
	_, resp := r.authorize(t, b, "jo@fabrikam.com", r.oauth.AuthCodeURL("fp-state", oauth2.S256ChallengeOption(pkce),
		oauth2.SetAuthURLParam("response_mode", "form_post")))
	if resp.Status != http.StatusOK || !strings.Contains(resp.Body, `action="`+redirectURI+`"`) {
		t.Fatalf("form_post answered %d: %.500s", resp.Status, resp.Body)
	}
	code := formValue(resp.Body, "code")
	if formValue(resp.Body, "state") != "fp-state" || code == "" {
		t.Fatalf("form_post body: %.500s", resp.Body)
	}
	if _, err := r.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(pkce)); err != nil {
		t.Fatal(err)
	}
}

func TestPromptAndMaxAge(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	r := newRP(t, env, tn, guestpass.AppInput{})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()

	loc, _ := r.authorize(t, b, "", r.oauth.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("prompt", "none")))
	if q := mustURL(t, loc).Query(); q.Get("error") != "login_required" || q.Get("state") != "s" {
		t.Fatalf("prompt=none without a session: %s", loc)
	}
	r.code(t, b, "jo@fabrikam.com")
	r.code(t, b, "", oauth2.SetAuthURLParam("prompt", "none")) // a session: no interaction

	env.Clock.Advance(time.Minute)
	before := len(env.SMTP.Messages())
	r.code(t, b, "jo@fabrikam.com", oauth2.SetAuthURLParam("prompt", "login"))
	if len(env.SMTP.Messages()) == before {
		t.Fatal("prompt=login signed in without a new code")
	}
	env.Clock.Advance(2 * time.Minute)
	r.code(t, b, "", oauth2.SetAuthURLParam("max_age", "3600")) // recent enough
	before = len(env.SMTP.Messages())
	r.code(t, b, "jo@fabrikam.com", oauth2.SetAuthURLParam("max_age", "60"))
	if len(env.SMTP.Messages()) == before {
		t.Fatal("max_age=60 accepted a sign-in 2 minutes old")
	}
}

func TestUnassignedGuest(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	other := invite(t, env, tn, "other@fabrikam.com")
	assigned := guestpass.AssignAssigned
	r := newRP(t, env, tn, guestpass.AppInput{Assignment: &assigned, AssignedGuestIDs: &[]string{other.ID}})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	_, resp := r.authorize(t, b, "jo@fabrikam.com", r.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if resp.Status != http.StatusForbidden || !strings.Contains(guestclient.Alert(resp.Body), "You have not been given access to Wiki") {
		t.Fatalf("unassigned guest saw %d: %.400s", resp.Status, resp.Body)
	}
	id := formValue(resp.Body, "id")
	back := post(t, b, "/t/"+tn.ID+"/oidc/denied", url.Values{"id": {id}})
	if q := mustURL(t, back.Location).Query(); !strings.HasPrefix(back.Location, redirectURI) || q.Get("error") != "access_denied" || q.Get("state") != "st" {
		t.Fatalf("the app got %d %s", back.Status, back.Location)
	}
	// The request is gone: the button cannot be replayed.
	again := post(t, b, "/t/"+tn.ID+"/oidc/denied", url.Values{"id": {id}})
	if again.Status != http.StatusBadRequest {
		t.Fatalf("replayed denial: %d", again.Status)
	}

	t.Run("UnassignedLaterCannotRefresh", func(t *testing.T) {
		ob := env.Browser()
		code, pkce := r.code(t, ob, "other@fabrikam.com")
		tok, err := r.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(pkce))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Svc.UpdateApplication(t.Context(), env.Op, tn.ID, r.app.ID, &guestpass.AppInput{AssignedGuestIDs: &[]string{}}); err != nil {
			t.Fatal(err)
		}
		_, err = r.oauth.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if oauthErr(err) != "invalid_grant" {
			t.Fatalf("refresh after the guest was unassigned: %v", err)
		}
	})
}

func TestTenantIsolation(t *testing.T) {
	env := newEnv(t)
	a, bt := newTenant(t, env, "Contoso"), newTenant(t, env, "Fabrikam")
	ra := newRP(t, env, a, guestpass.AppInput{})
	rb := newRP(t, env, bt, guestpass.AppInput{})
	invite(t, env, a, "jo@fabrikam.com")
	b := env.Browser()
	ctx := t.Context()

	code, pkce := ra.code(t, b, "jo@fabrikam.com")
	// A's code at B's token endpoint, with A's client credentials.
	cross := ra.oauth
	cross.Endpoint = rb.provider.Endpoint()
	cross.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	if _, err := cross.Exchange(ctx, code, oauth2.VerifierOption(pkce)); oauthErr(err) != "invalid_client" && oauthErr(err) != "invalid_grant" {
		t.Fatalf("tenant B exchanged tenant A's code: %v", err)
	}
	code, pkce = ra.code(t, b, "")
	tok, err := ra.oauth.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatal(err)
	}
	// A's access token at B's userinfo.
	if _, err := rb.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Fatal("tenant B's userinfo accepted tenant A's token")
	}
	// ...and at a tenant that does not exist (these endpoints read no
	// tenant row: every lookup is scoped by the path's tenant).
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/t/"+strings.Replace(a.ID, a.ID[:8], "00000000", 1)+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode == http.StatusOK {
		t.Fatalf("an unknown tenant's userinfo accepted tenant A's token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// A's refresh token at B.
	crossB := rb.oauth
	if _, err := crossB.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Fatal("tenant B refreshed tenant A's token")
	}
	// A's ID token does not verify for B's issuer.
	raw, _ := tok.Extra("id_token").(string)
	if _, err := rb.provider.Verifier(&gooidc.Config{ClientID: ra.app.ID}).Verify(ctx, raw); err == nil {
		t.Fatal("tenant B's verifier accepted tenant A's ID token")
	}
	// A's client at B's authorize endpoint is unknown.
	o := ra.oauth
	o.Endpoint = rb.provider.Endpoint()
	resp := get(t, b, o.AuthCodeURL("s", oauth2.S256ChallengeOption(pkce)))
	if resp.Status != http.StatusBadRequest || resp.Location != "" {
		t.Fatalf("tenant B accepted tenant A's client: %d %s", resp.Status, resp.Location)
	}
}

func TestEndSessionSignsOut(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	r := newRP(t, env, tn, guestpass.AppInput{PostLogoutRedirectURIs: &[]string{"http://127.0.0.1:9/bye"}})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	code, pkce := r.code(t, b, "jo@fabrikam.com")
	tok, err := r.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = r.provider.Claims(&d)
	raw, _ := tok.Extra("id_token").(string)
	q := url.Values{"id_token_hint": {raw}, "post_logout_redirect_uri": {"http://127.0.0.1:9/bye"}, "client_id": {r.app.ID}}
	resp := get(t, b, d.EndSession+"?"+q.Encode())
	if resp.Status != http.StatusFound || !strings.HasPrefix(resp.Location, "http://127.0.0.1:9/bye") {
		t.Fatalf("end_session: %d %s %.300s", resp.Status, resp.Location, resp.Body)
	}
	if _, err := r.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok)); err == nil {
		t.Fatal("userinfo answered after end_session")
	}
}

package oidc_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/guestpass/guestpass"
	"golang.org/x/oauth2"
)

func jwtAlg(t *testing.T, raw string) string {
	t.Helper()
	head, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Alg string }
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h.Alg
}

// TestIDTokenAlgorithm: ID tokens are signed with the app's
// idTokenSignedResponseAlg (RS256 by default, ES256 on request), on code
// exchange and refresh alike, and verify with go-oidc from discovery.
func TestIDTokenAlgorithm(t *testing.T) {
	env := newEnv(t)
	tn := newTenant(t, env, "Contoso")
	es := guestpass.AlgES256
	rsApp := newRP(t, env, tn, guestpass.AppInput{})
	esApp := newRP(t, env, tn, guestpass.AppInput{IDTokenAlg: &es})
	invite(t, env, tn, "jo@fabrikam.com")
	b := env.Browser()
	ctx := t.Context()
	rsApp.code(t, b, "jo@fabrikam.com") // signs the browser in
	for _, c := range []struct {
		r    *rp
		want string
	}{{rsApp, "RS256"}, {esApp, "ES256"}} {
		code, pkce := c.r.code(t, b, "")
		tok, err := c.r.oauth.Exchange(ctx, code, oauth2.VerifierOption(pkce))
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := c.r.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range []*oauth2.Token{tok, fresh} {
			raw, _ := tk.Extra("id_token").(string)
			if got := jwtAlg(t, raw); got != c.want {
				t.Errorf("ID token signed %s, want %s", got, c.want)
			}
			if _, err := c.r.verifier.Verify(ctx, raw); err != nil {
				t.Errorf("%s ID token does not verify: %v", c.want, err)
			}
		}
	}
	bad := "HS256"
	typ, name := guestpass.AppOIDC, "Bad"
	_, _, err := env.Svc.CreateApplicationLocal(ctx, tn.ID, &guestpass.AppInput{Type: &typ, DisplayName: &name,
		RedirectURIs: &[]string{redirectURI}, IDTokenAlg: &bad})
	if guestpass.KindOf(err) != guestpass.KindInvalid {
		t.Fatalf("HS256 accepted: %v", err)
	}
}

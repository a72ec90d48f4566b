// Package oidc makes every tenant an OpenID Connect provider, issuer
// {baseURL}/t/{tenantID}, on zitadel/oidc's op package: discovery, JWKS,
// authorization code with PKCE, token, userinfo, revocation and end
// session. Sign-in is the guest flow of the web pages; this package only
// hands the browser there and back.
//
// It may import the root package, the standard library, zitadel/oidc and
// go-jose; never another adapter (the web pages and this handler meet in
// cmd/guestpass and internal/servertest, side by side on one mux).
package oidc

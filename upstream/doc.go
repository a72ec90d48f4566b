// Package upstream is GuestPass's OpenID Connect client towards the
// tenants' identity providers (federation): discovery when an admin saves a
// provider, the authorization URL with state, nonce and PKCE, the code
// exchange, and ID token verification with coreos/go-oidc. It implements
// guestpass.Upstream; the policy (which provider, whether the identity
// matches the invited address) stays in the root package.
//
// It may import the root package, the standard library,
// github.com/coreos/go-oidc/v3 and golang.org/x/oauth2; never a store, web
// or other adapter.
package upstream

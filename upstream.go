package guestpass

import (
	"context"
	"time"
)

// Upstream speaks OpenID Connect to a tenant's identity providers. The
// root package holds the policy and no HTTP; package upstream implements it
// (discovery, the code exchange, ID token verification with go-oidc).
type Upstream interface {
	// Discover fetches issuer's discovery document and checks that it is an
	// OpenID provider for exactly that issuer which supports the
	// authorization code flow. Its errors are *Error of code
	// "invalid_issuer" with a message an admin can act on.
	Discover(ctx context.Context, issuer string) error
	// AuthCodeURL is where the browser goes to sign in upstream, with
	// state, nonce and the S256 challenge of verifier (RFC 7636), and the
	// invited address as login_hint.
	AuthCodeURL(ctx context.Context, c UpstreamClient, state, nonce, verifier, loginHint string) (string, error)
	// Exchange redeems code with verifier and returns the identity of the
	// verified ID token: signature, issuer, audience and expiry (at now) are
	// checked; the nonce is returned for the caller to compare. Claims the
	// ID token lacks (email, email_verified) are read from the UserInfo
	// endpoint when the subject there is the same.
	Exchange(ctx context.Context, c UpstreamClient, code, verifier string, now time.Time) (*UpstreamIdentity, error)
}

// UpstreamClient is GuestPass registered at one identity provider.
type UpstreamClient struct {
	Issuer       string
	ClientID     string
	ClientSecret string // empty for a public client (PKCE only)
	Scopes       []string
	RedirectURI  string
}

// UpstreamIdentity is what an upstream ID token (and UserInfo) says.
type UpstreamIdentity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Nonce         string
	AMR           []string
}

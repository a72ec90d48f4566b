package oidc

import (
	"time"

	"github.com/guestpass/guestpass"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Token lifetimes. An ID token lives briefly (it proves a sign-in, it does
// not keep one); access tokens are capped by the session; refresh tokens
// die with it. A sign-in is forced when the session has less than
// idTokenLifetime+codeLifetime left, so no token outlives its session.
const (
	idTokenLifetime     = 10 * time.Minute
	accessTokenLifetime = time.Hour
	codeLifetime        = 5 * time.Minute
	authRequestLifetime = 30 * time.Minute
)

// client is an OIDC application as op sees it.
type client struct {
	app      *guestpass.Application
	loginURL func(id string) string
}

var _ op.Client = (*client)(nil)

func (c *client) GetID() string                    { return c.app.ID }
func (c *client) RedirectURIs() []string           { return c.app.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return c.app.PostLogoutRedirectURIs }

// ApplicationType is web for confidential clients. Public clients are
// native apps to op (loopback redirects over http); the exact match of the
// redirect URI is enforced again when the request is stored.
func (c *client) ApplicationType() op.ApplicationType {
	if c.app.Public {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

// AuthMethod: confidential clients authenticate with their secret, by
// HTTP Basic or in the form (op accepts both when AuthMethodPost is on).
func (c *client) AuthMethod() oidc.AuthMethod {
	if c.app.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c *client) LoginURL(id string) string            { return c.loginURL(id) }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return idTokenLifetime }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

package oidc

import (
	"time"

	"github.com/guestpass/guestpass"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// authRequest is a stored request as op reads it.
type authRequest struct{ r *guestpass.OIDCAuthRequest }

var _ op.AuthRequest = authRequest{}

func (a authRequest) GetID() string          { return a.r.ID }
func (a authRequest) GetACR() string         { return "" }
func (a authRequest) GetAMR() []string       { return a.r.AMR }
func (a authRequest) GetAudience() []string  { return []string{a.r.ClientID} }
func (a authRequest) GetAuthTime() time.Time { return a.r.AuthTime }
func (a authRequest) GetClientID() string    { return a.r.ClientID }
func (a authRequest) GetNonce() string       { return a.r.Nonce }
func (a authRequest) GetRedirectURI() string { return a.r.RedirectURI }
func (a authRequest) GetScopes() []string    { return a.r.Scopes }
func (a authRequest) GetState() string       { return a.r.State }
func (a authRequest) GetSubject() string     { return a.r.GuestID }
func (a authRequest) Done() bool             { return a.r.Done }
func (a authRequest) GetResponseType() oidc.ResponseType {
	return oidc.ResponseType(a.r.ResponseType)
}
func (a authRequest) GetResponseMode() oidc.ResponseMode {
	return oidc.ResponseMode(a.r.ResponseMode)
}
func (a authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: oidc.CodeChallengeMethod(a.r.CodeChallengeMethod)}
}

// refreshRequest is a stored refresh token as op reads it.
type refreshRequest struct {
	t      *guestpass.OIDCRefreshToken
	scopes []string
}

var _ op.RefreshTokenRequest = (*refreshRequest)(nil)

func (r *refreshRequest) GetAMR() []string                 { return r.t.AMR }
func (r *refreshRequest) GetAudience() []string            { return []string{r.t.ClientID} }
func (r *refreshRequest) GetAuthTime() time.Time           { return r.t.AuthTime }
func (r *refreshRequest) GetClientID() string              { return r.t.ClientID }
func (r *refreshRequest) GetScopes() []string              { return r.scopes }
func (r *refreshRequest) GetSubject() string               { return r.t.GuestID }
func (r *refreshRequest) SetCurrentScopes(scopes []string) { r.scopes = scopes }

// grant is what every token request is derived from: a session, and the
// authorization request (its ID is the grant's) that a code exchange
// consumed; refresh tokens carry that ID on through their rotations.
type grant struct {
	tenantID, sessionID, grantID, clientID string
	scopes                                 []string
}

func grantOf(req any) (grant, bool) {
	switch r := req.(type) {
	case authRequest:
		return grant{r.r.TenantID, r.r.SessionID, r.r.ID, r.r.ClientID, r.r.Scopes}, r.r.SessionID != ""
	case *refreshRequest:
		return grant{r.t.TenantID, r.t.SessionID, r.t.GrantID, r.t.ClientID, r.scopes}, true
	}
	return grant{}, false
}

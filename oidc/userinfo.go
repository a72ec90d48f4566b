package oidc

import (
	"context"
	"slices"

	"github.com/guestpass/guestpass"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// SetUserinfoFromScopes is deprecated in op; SetUserinfoFromRequest does
// the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	g, ok := grantOf(req)
	if !ok {
		return oidc.ErrUnsupportedGrantType()
	}
	a, err := s.liveGrant(ctx, g)
	if err != nil {
		return err
	}
	setClaims(info, a, scopes)
	return nil
}

// setClaims is the one place claims are decided, for ID tokens and
// userinfo alike. sub is the guest id: stable, per tenant, not the address.
func setClaims(info *oidc.UserInfo, a *guestpass.ActiveSession, scopes []string) {
	info.Subject = a.Guest.ID
	if slices.Contains(scopes, oidc.ScopeEmail) {
		info.Email, info.EmailVerified = a.Guest.Mail, true
	}
	if slices.Contains(scopes, oidc.ScopeProfile) && a.Guest.DisplayName != "" {
		info.Name = a.Guest.DisplayName
	}
	info.AppendClaims("tid", a.Session.TenantID)
	info.AppendClaims("idp", a.Session.IDP)
	info.AppendClaims("amr", a.Session.AMR)
	info.AppendClaims("auth_time", a.Session.AuthTime.Unix())
}

// userinfoScopes: access tokens do not carry their scopes, so userinfo
// answers the standard claims of an openid email profile grant.
var userinfoScopes = []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile}

// SetUserinfoFromToken answers userinfo: refused at once when the session
// behind the token has been revoked or has expired, or when the app no
// longer takes it (appRefusal: unassigned, deleted, a second factor now
// required), as a refresh would be.
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	ref, ok := parseAccessTokenID(tokenID)
	if !ok || !s.now().Before(ref.exp) {
		return oidc.ErrAccessDenied().WithDescription("access token expired or invalid")
	}
	a, err := s.liveGrant(ctx, grant{tenantID: tenantOf(ctx), sessionID: ref.sessionID, grantID: ref.grantID})
	if err != nil {
		return oidc.ErrAccessDenied().WithDescription("the session or grant behind this token has ended")
	}
	if a.Guest.ID != subject {
		return oidc.ErrAccessDenied()
	}
	if why, err := s.appRefusal(ctx, a, ref.clientID); err != nil || why != "" {
		return refusal(err, oidc.ErrAccessDenied, why)
	}
	setClaims(info, a, userinfoScopes)
	return nil
}

func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	var info oidc.UserInfo
	if err := s.SetUserinfoFromToken(ctx, &info, tokenID, subject, ""); err != nil {
		return err
	}
	resp.Active, resp.Subject, resp.ClientID = true, subject, clientID
	resp.SetUserInfo(&info)
	return nil
}

package oidc

import (
	"context"
	"crypto/rand"
	"errors"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/guestpass/guestpass"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// storage is op's view of GuestPass. It serves every tenant: the tenant of
// a call is the one whose issuer the request came in on (tenantOf).
type storage struct {
	svc      *guestpass.Service
	loginURL func(tenantID, id string) string
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

var (
	errUnknownClient = errors.New("unknown client")
	errBadSecret     = errors.New("wrong client secret")
	errNoRequest     = errors.New("auth request not found or expired")
	errNoSession     = errors.New("the guest session behind this grant has ended")
	errCodeReused    = errors.New("authorization code used twice: the tokens issued from it are revoked")
	errGrantRevoked  = errors.New("the tokens of this grant were revoked (its code was used twice)")
)

func (s *storage) store() guestpass.Store { return s.svc.Store() }
func (s *storage) now() time.Time         { return s.svc.Now() }

// application returns the tenant's OIDC app clientID, or errUnknownClient:
// a client of another tenant is unknown here.
func (s *storage) application(ctx context.Context, clientID string) (*guestpass.Application, error) {
	tid := tenantOf(ctx)
	if tid == "" || clientID == "" || len(clientID) > 100 {
		return nil, errUnknownClient
	}
	a, err := s.store().GetApplication(ctx, tid, clientID)
	if errors.Is(err, guestpass.ErrNotFound) || err == nil && a.Type != guestpass.AppOIDC {
		return nil, errUnknownClient
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return a, nil
}

// GetClientByClientID also notes the app for SigningKey: at the token
// endpoint op looks up the client it then authenticates and checks against
// the grant, before any ID token is signed.
func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	a, err := s.application(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if ra := requestAppOf(ctx); ra != nil {
		ra.app = a
	}
	tid := tenantOf(ctx)
	return &client{app: a, loginURL: func(id string) string { return s.loginURL(tid, id) }}, nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	a, err := s.application(ctx, clientID)
	if err != nil {
		return err
	}
	if !a.CheckSecret(secret, s.now()) {
		return errBadSecret
	}
	return nil
}

// CreateAuthRequest stores a validated /authorize request. op has checked
// the client, scopes and redirect URI; this adds GuestPass's rules: exact
// redirect URI match, S256 only, PKCE mandatory for public clients, code
// flow with query or form_post responses.
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	a, err := s.application(ctx, req.ClientID)
	if err != nil {
		return nil, oidc.ErrInvalidRequest().WithDescription("unknown client")
	}
	switch {
	case !a.HasRedirectURI(req.RedirectURI):
		return nil, oidc.ErrInvalidRequestRedirectURI().WithDescription("redirect_uri is not registered for this client")
	case req.ResponseType != oidc.ResponseTypeCode:
		return nil, oidc.ErrInvalidRequest().WithDescription("only response_type=code is supported")
	case req.ResponseMode != "" && req.ResponseMode != oidc.ResponseModeQuery && req.ResponseMode != oidc.ResponseModeFormPost:
		return nil, oidc.ErrInvalidRequest().WithDescription("response_mode must be query or form_post")
	case req.CodeChallenge != "" && req.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	case a.Public && req.CodeChallenge == "":
		return nil, oidc.ErrInvalidRequest().WithDescription("public clients must use PKCE (S256)")
	case len(req.State) > 2048 || len(req.Nonce) > 2048 || len(req.CodeChallenge) > 128 || len(req.LoginHint) > 320:
		return nil, oidc.ErrInvalidRequest().WithDescription("a parameter is too long")
	}
	id, err := guestpass.NewToken(rand.Reader)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &guestpass.OIDCAuthRequest{ID: id, TenantID: tenantOf(ctx), ClientID: a.ID, RedirectURI: req.RedirectURI,
		Scopes: req.Scopes, State: req.State, Nonce: req.Nonce, ResponseType: string(req.ResponseType),
		ResponseMode: string(req.ResponseMode), CodeChallenge: req.CodeChallenge,
		CodeChallengeMethod: string(req.CodeChallengeMethod), Prompt: req.Prompt, MaxAge: -1,
		LoginHint: req.LoginHint, CreatedAt: now, ExpiresAt: now.Add(authRequestLifetime)}
	if req.MaxAge != nil {
		r.MaxAge = int64(min(*req.MaxAge, 1<<31))
	}
	if err := s.store().CreateOIDCAuthRequest(ctx, r); err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return authRequest{r}, nil
}

// request loads a live auth request of this tenant.
func (s *storage) request(ctx context.Context, id string) (*guestpass.OIDCAuthRequest, error) {
	if id == "" || len(id) > 100 {
		return nil, errNoRequest
	}
	r, err := s.store().GetOIDCAuthRequest(ctx, id)
	if errors.Is(err, guestpass.ErrNotFound) || err == nil && (r.TenantID != tenantOf(ctx) || !s.now().Before(r.ExpiresAt)) {
		return nil, errNoRequest
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return r, nil
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.request(ctx, id)
	if err != nil {
		return nil, err
	}
	return authRequest{r}, nil
}

// AuthRequestByCode consumes the code: it works once, even when the
// exchange then fails (wrong verifier, wrong client). A second use is
// refused and, as RFC 6749 §4.1.2 asks, revokes the tokens issued from the
// first: one of the two presenters is not the client, and it may have been
// first.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	if code == "" || len(code) > 1024 {
		return nil, errNoRequest
	}
	r, err := s.store().ConsumeOIDCCode(ctx, guestpass.HashToken(code), s.now())
	switch {
	case errors.Is(err, guestpass.ErrConflict):
		if err := s.svc.RevokeOIDCGrant(ctx, r, clientOf(ctx)); err != nil {
			return nil, oidc.ErrServerError().WithParent(err)
		}
		return nil, errCodeReused
	case errors.Is(err, guestpass.ErrNotFound):
		return nil, errNoRequest
	case err != nil:
		return nil, oidc.ErrServerError().WithParent(err)
	}
	if r.TenantID != tenantOf(ctx) || !s.now().Before(r.ExpiresAt) || !r.Done {
		return nil, errNoRequest
	}
	return authRequest{r}, nil
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	r, err := s.request(ctx, id)
	if err != nil {
		return err
	}
	if !r.Done || len(r.CodeHash) > 0 {
		return oidc.ErrInvalidRequest().WithDescription("this authorization request already has a code")
	}
	r.CodeHash = guestpass.HashToken(code)
	r.ExpiresAt = s.now().Add(codeLifetime)
	return s.store().UpdateOIDCAuthRequest(ctx, r)
}

// DeleteAuthRequest is op's call after a code exchange, and ours when a
// request ends without one. A request whose code was used stays until it
// expires (the store refuses to delete it), so a replay is recognized.
func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	err := s.store().DeleteOIDCAuthRequest(ctx, id)
	if errors.Is(err, guestpass.ErrNotFound) {
		return nil
	}
	return err
}

// activeSession is the session a grant rests on, if it is still usable
// (not expired, not revoked, guest not disabled: Service.SessionByID).
func (s *storage) activeSession(ctx context.Context, tenantID, sessionID string) (*guestpass.ActiveSession, error) {
	if tenantID != tenantOf(ctx) || sessionID == "" {
		return nil, errNoSession
	}
	a, err := s.svc.SessionByID(ctx, tenantID, sessionID)
	if err != nil {
		if guestpass.KindOf(err) == guestpass.KindInternal || guestpass.KindOf(err) == guestpass.KindUnavailable {
			return nil, oidc.ErrServerError().WithParent(err)
		}
		return nil, errNoSession
	}
	return a, nil
}

// liveGrant is activeSession for a grant: also refused once the grant's
// tokens were revoked (its code was replayed).
func (s *storage) liveGrant(ctx context.Context, g grant) (*guestpass.ActiveSession, error) {
	a, err := s.activeSession(ctx, g.tenantID, g.sessionID)
	if err != nil {
		return nil, err
	}
	if a.Session.GrantRevoked(g.grantID) {
		return nil, errGrantRevoked
	}
	return a, nil
}

// Opaque access tokens are op's AES-GCM encryption of "tokenID:subject";
// the token ID names the session, the expiry, the grant and the client,
// so userinfo needs no stored token, only the in-memory session view and
// app index.
func accessTokenID(g grant, exp time.Time) string {
	return "v3." + g.sessionID + "." + strconv.FormatInt(exp.Unix(), 10) + "." + g.grantID + "." + g.clientID
}

// tokenRef is what an access token ID names.
type tokenRef struct {
	sessionID, grantID, clientID string
	exp                          time.Time
}

// parseAccessTokenID reads what accessTokenID wrote. Earlier forms are
// refused: none of them ever left a development build.
func parseAccessTokenID(id string) (tokenRef, bool) {
	parts := strings.Split(id, ".")
	if len(parts) != 5 || parts[0] != "v3" || parts[4] == "" || len(parts[4]) > 100 {
		return tokenRef{}, false
	}
	if parts[1] == "" || len(parts[1]) > 64 || parts[3] == "" || len(parts[3]) > 64 {
		return tokenRef{}, false
	}
	n, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return tokenRef{}, false
	}
	return tokenRef{sessionID: parts[1], grantID: parts[3], clientID: parts[4], exp: time.Unix(n, 0)}, true
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	g, ok := grantOf(req)
	if !ok {
		return "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	a, err := s.liveGrant(ctx, g)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := earlier(s.now().Add(accessTokenLifetime), a.Session.ExpiresAt)
	return accessTokenID(g, exp), exp, nil
}

func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	g, ok := grantOf(req)
	if !ok {
		return "", "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	a, err := s.liveGrant(ctx, g)
	if err != nil {
		return "", "", time.Time{}, err
	}
	now := s.now()
	if a.Session.ExpiresAt.Sub(now) < idTokenLifetime {
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("the session ends soon: sign in again")
	}
	exp := earlier(now.Add(accessTokenLifetime), a.Session.ExpiresAt)
	token, err := guestpass.NewToken(rand.Reader)
	if err != nil {
		return "", "", time.Time{}, err
	}
	// The refresh token dies with the session: its expiry is the session's.
	rt := &guestpass.OIDCRefreshToken{TokenHash: guestpass.HashToken(token), TenantID: g.tenantID, ClientID: g.clientID,
		SessionID: g.sessionID, GrantID: g.grantID, GuestID: a.Guest.ID, Scopes: g.scopes, AMR: a.Session.AMR,
		AuthTime: a.Session.AuthTime, CreatedAt: now, ExpiresAt: a.Session.ExpiresAt}
	err = s.store().Update(ctx, func(tx guestpass.Tx) error {
		if current != "" {
			// Rotation: the presented token dies; of two racing refreshes
			// only one finds it.
			if err := tx.DeleteOIDCRefreshToken(ctx, guestpass.HashToken(current)); err != nil {
				return err
			}
		}
		return tx.CreateOIDCRefreshToken(ctx, rt)
	})
	if errors.Is(err, guestpass.ErrNotFound) {
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token already used")
	}
	if err != nil {
		return "", "", time.Time{}, oidc.ErrServerError().WithParent(err)
	}
	return accessTokenID(g, exp), token, exp, nil
}

// refreshToken loads a live refresh token of this tenant.
func (s *storage) refreshToken(ctx context.Context, token string) (*guestpass.OIDCRefreshToken, error) {
	if token == "" || len(token) > 100 {
		return nil, op.ErrInvalidRefreshToken
	}
	t, err := s.store().GetOIDCRefreshToken(ctx, guestpass.HashToken(token))
	if errors.Is(err, guestpass.ErrNotFound) || err == nil && (t.TenantID != tenantOf(ctx) || !s.now().Before(t.ExpiresAt)) {
		return nil, op.ErrInvalidRefreshToken
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return t, nil
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	t, err := s.refreshToken(ctx, token)
	if err != nil {
		return nil, err
	}
	a, err := s.liveGrant(ctx, grant{tenantID: t.TenantID, sessionID: t.SessionID, grantID: t.GrantID})
	if err != nil {
		return nil, err
	}
	// A guest who must sign in again for the app gets its new grant from
	// login, which decides how.
	if why, err := s.appRefusal(ctx, a, t.ClientID); err != nil || why != "" {
		return nil, refusal(err, oidc.ErrInvalidGrant, why)
	}
	return &refreshRequest{t: t, scopes: t.Scopes}, nil
}

// appRefusal says why the app clientID, as it is now, refuses the session
// a: deleted, the guest no longer assigned to it, or a second factor it
// has come to require and the session lacks; "" when it allows it. Refresh
// and userinfo judge every use this way, as forward auth judges every
// request, from the same in-memory index while the change feed is fresh.
func (s *storage) appRefusal(ctx context.Context, a *guestpass.ActiveSession, clientID string) (string, error) {
	app, err := s.svc.OIDCClient(ctx, a.Session.TenantID, clientID)
	switch {
	case guestpass.KindOf(err) == guestpass.KindNotFound:
		return "the application no longer exists", nil
	case err != nil:
		return "", err
	case !app.Allows(a.Guest.ID):
		return "the guest is no longer assigned to this application", nil
	case a.Tenant.MFARequiredFor(app.App) && !a.Session.HasMFA():
		return "this application requires a second factor: sign in again", nil
	}
	return "", nil
}

// refusal is appRefusal's answer as an OAuth error of kind: why, or a
// server error.
func refusal(err error, kind func() *oidc.Error, why string) error {
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return kind().WithDescription("%s", why)
}

// TerminateSession ends the browser's own guest session (RP-initiated
// logout): the session cookie reached us through the request context.
func (s *storage) TerminateSession(ctx context.Context, _ string, _ string) error {
	tid := tenantOf(ctx)
	if tok := sessionTokenOf(ctx); tok != "" {
		return s.svc.SignOut(ctx, tid, tok, clientOf(ctx))
	}
	return nil
}

// RevokeToken revokes a refresh token (RFC 7009). Access tokens are not
// stored: they end with their session, at most an hour later by expiry.
func (s *storage) RevokeToken(ctx context.Context, token, userID, clientID string) *oidc.Error {
	if userID != "" {
		return nil
	}
	t, err := s.refreshToken(ctx, token)
	if err != nil {
		return nil // unknown tokens are "revoked" (RFC 7009 §2.2)
	}
	if t.ClientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("the token belongs to another client")
	}
	if err := s.store().DeleteOIDCRefreshToken(ctx, t.TokenHash); err != nil && !errors.Is(err, guestpass.ErrNotFound) {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := s.refreshToken(ctx, token)
	if err != nil || t.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return t.GuestID, token, nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("private_key_jwt is not supported")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("the JWT profile grant is not supported")
}

func (s *storage) Health(ctx context.Context) error { return s.store().Ping(ctx) }

package guestpass

import (
	"context"
	"errors"
)

// ProxyCredential names which cookie a forward-auth request presented.
type ProxyCredential int

const (
	// CredentialSession is the guest session cookie itself: forward auth
	// on GuestPass's own host (no --cookie-domain; one host, development).
	CredentialSession ProxyCredential = iota
	// CredentialProxy is the forward-auth cookie on the parent domain of
	// the proxied apps, carrying the session's proxy token.
	CredentialProxy
)

var errNotAssigned = Errorf(KindForbidden, "not_assigned", "You have not been given access to this application.")

// errNeedsMFA sends a session without a second factor through sign-in
// again when the app (or, since the session began, its tenant) requires
// one: the new flow names the app, so it asks for the factor.
var errNeedsMFA = Errorf(KindUnauthorized, "mfa_required", "This application needs a second factor: sign in again.")

// AuthorizeProxy answers forward auth for one request to target: the
// presented token must be a usable session of the app's tenant (else
// errNoSession, KindUnauthorized) whose guest the app allows (else
// KindForbidden) and that proved a second factor where the app or tenant
// requires one (else errNeedsMFA, KindUnauthorized). Everything it reads is in memory while the change feed
// is fresh; it never writes. The result is shared and must not be
// modified.
func (s *Service) AuthorizeProxy(ctx context.Context, target *ProxyTarget, token string, cred ProxyCredential) (*ActiveSession, error) {
	if len(token) < 20 || len(token) > 100 {
		return nil, errNoSession
	}
	var a *ActiveSession
	var err error
	if cred == CredentialProxy {
		a, err = s.proxySession(ctx, HashToken(token))
	} else {
		a, err = s.ActiveSession(ctx, HashToken(token))
	}
	if err != nil {
		return nil, err
	}
	if a.Session.TenantID != target.App.TenantID {
		return nil, errNoSession
	}
	if !target.Allows(a.Guest.ID) {
		return nil, errNotAssigned
	}
	if a.Tenant.MFARequiredFor(target.App) && !a.Session.HasMFA() {
		return nil, errNeedsMFA
	}
	return a, nil
}

// proxySession is ActiveSession by the hash of a forward-auth token.
func (s *Service) proxySession(ctx context.Context, hash []byte) (*ActiveSession, error) {
	a := s.view.getByProxy(hash)
	if a == nil {
		gen := s.view.generation()
		sess, err := s.store.GetSessionByProxyToken(ctx, hash)
		if errors.Is(err, ErrNotFound) {
			return nil, errNoSession
		}
		if err != nil {
			return nil, internal("get session", err)
		}
		if a, err = s.loadActive(ctx, sess, gen); err != nil {
			return nil, err
		}
	}
	if !s.usable(a) {
		return nil, errNoSession
	}
	return a, nil
}

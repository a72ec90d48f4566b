package guestpass

import (
	"context"
	"crypto/subtle"
	"errors"
	"slices"
)

// RouteKind is how a guest is to prove its address: the redemption order
// of issue 8 is identity provider, then email code, then refusal.
type RouteKind string

const (
	RouteIdentityProvider RouteKind = "identityProvider"
	RouteMail             RouteKind = "mail"
	RouteRefused          RouteKind = "refused"
)

// Route reasons, recorded in the sign-in log with the route.
const (
	reasonSticky         = "sticky_identity"    // the way the guest redeemed
	reasonDomainProvider = "domain_provider"    // a provider claims the address's domain
	reasonNoProvider     = "no_domain_provider" // none does: the email code
	reasonOTPDisabled    = "email_otp_disabled" // the code would be next, but the tenant switched it off
	reasonProviderGone   = "identity_provider_gone"
)

// Route is the outcome of the redemption order for one address.
type Route struct {
	Kind     RouteKind
	Provider *IdentityProvider // with RouteIdentityProvider
	Reason   string
}

// route applies the redemption order. A guest who has redeemed keeps the
// way it redeemed (sticky identity) until an admin resets the redemption;
// anyone else goes to the provider claiming the address's domain, else to
// the email code when the tenant allows it, else nowhere.
func (s *Service) route(ctx context.Context, q Queries, t *Tenant, g *Guest, addr string) (Route, error) {
	ps, err := s.routeProviders(ctx, q, t)
	if err != nil {
		return Route{}, err
	}
	return routeWith(ps, t, g, addr), nil
}

// routeProviders are the providers route chooses from: none on a server
// without federation.
func (s *Service) routeProviders(ctx context.Context, q Queries, t *Tenant) ([]*IdentityProvider, error) {
	if s.upstream == nil {
		return nil, nil
	}
	return s.tenantIDPs(ctx, q, t.ID)
}

// routeWith is route over the tenant's providers ps.
func routeWith(ps []*IdentityProvider, t *Tenant, g *Guest, addr string) Route {
	mail := func(reason string) Route {
		if t.EmailOTPAllowed() {
			return Route{Kind: RouteMail, Reason: reason}
		}
		return Route{Kind: RouteRefused, Reason: reasonOTPDisabled}
	}
	if g != nil && g.RedeemedWith == IDPMail {
		return mail(reasonSticky)
	}
	if g != nil && g.RedeemedWith != "" {
		if i := slices.IndexFunc(ps, func(p *IdentityProvider) bool { return p.Issuer == g.RedeemedWith }); i >= 0 {
			return Route{Kind: RouteIdentityProvider, Provider: ps[i], Reason: reasonSticky}
		}
		return Route{Kind: RouteRefused, Reason: reasonProviderGone}
	}
	d := AddressDomain(addr)
	if i := slices.IndexFunc(ps, func(p *IdentityProvider) bool { return slices.Contains(p.EmailDomains, d) }); i >= 0 {
		return Route{Kind: RouteIdentityProvider, Provider: ps[i], Reason: reasonDomainProvider}
	}
	return mail(reasonNoProvider)
}

// routeEvent is the sign-in log's record of the redemption order.
func routeEvent(t *Tenant, g *Guest, r Route, c Client) AuditEvent {
	e := signInEvent(t.ID, g, "signIn.route", "", c)
	e.Reason, e.Detail = r.Reason, string(r.Kind)
	if r.Provider != nil {
		e.Detail += " " + r.Provider.Issuer
	}
	if r.Kind == RouteRefused {
		e.Outcome = "failure"
	}
	return e
}

// RefusedRouteError is what a guest with no way to sign in is told: the
// organization does not allow this sign-in, and what the guest can do.
func RefusedRouteError(t *Tenant, reason string) error {
	if reason == reasonProviderGone {
		return Errorf(KindForbidden, reasonProviderGone, "You accepted your invitation with a sign-in that %s no longer offers. Ask the person who invited you to reset your redemption; you will get a new invitation.", t.DisplayName)
	}
	return errEmailOTPDisabled(t)
}

// HasIdentityProviders reports whether some guests of the tenant sign in
// upstream, so the sign-in page asks for the address even with codes off.
func (s *Service) HasIdentityProviders(ctx context.Context, tenantID string) (bool, error) {
	if s.upstream == nil {
		return false, nil
	}
	ps, _, err := s.store.ListIdentityProviders(ctx, tenantID, Page{Limit: 1})
	return len(ps) > 0, internal("list identity providers", err)
}

func (s *Service) upstreamClient(p *IdentityProvider) (UpstreamClient, error) {
	secret, err := s.openIDPSecret(p)
	if err != nil {
		return UpstreamClient{}, err
	}
	return UpstreamClient{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: secret, Scopes: p.Scopes,
		RedirectURI: s.FederationRedirectURI(p.TenantID)}, nil
}

func (s *Service) openIDPSecret(p *IdentityProvider) (string, error) {
	if len(p.SealedSecret) == 0 {
		return "", nil
	}
	b, err := s.keys.Open(p.SealedSecret, idpSecretAD(p))
	if err != nil {
		return "", internal("open client secret", err)
	}
	return string(b), nil
}

// startUpstream sends the flow to the provider: fresh state, nonce and
// PKCE verifier, kept on the flow (bound to this browser's flow cookie)
// for the callback to check.
func (s *Service) startUpstream(ctx context.Context, t *Tenant, g *Guest, token string, flow *Flow, isNew bool, addr, invID string, r Route, c Client) (*SendCodeResult, error) {
	uc, err := s.upstreamClient(r.Provider)
	if err != nil {
		return nil, err
	}
	var secrets [3]string
	for i := range secrets {
		if secrets[i], err = NewToken(s.rand); err != nil {
			return nil, err
		}
	}
	state, nonce, verifier := secrets[0], secrets[1], secrets[2]
	sealed, err := s.keys.Seal([]byte(verifier), flow.IDHash)
	if err != nil {
		return nil, internal("seal verifier", err)
	}
	authURL, err := s.upstream.AuthCodeURL(ctx, uc, state, nonce, verifier, addr)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	flow.Mail, flow.InvitationID, flow.State, flow.CodeMAC, flow.GuestID = addr, invID, FlowUpstream, nil, ""
	flow.IDP, flow.AMR = "", nil
	flow.UpstreamID, flow.UpstreamState, flow.UpstreamNonce, flow.UpstreamVerifier = r.Provider.ID, HashToken(state), nonce, sealed
	flow.ExpiresAt = now.Add(s.flowTTL)
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := s.saveFlow(ctx, tx, flow, isNew); err != nil {
			return err
		}
		return s.audit(ctx, tx, routeEvent(t, g, r, c))
	})
	if err != nil {
		return nil, err
	}
	return &SendCodeResult{FlowToken: token, FlowExpiresAt: flow.ExpiresAt, MaskedMail: MaskAddress(addr), Tenant: t,
		UpstreamURL: authURL, ProviderName: r.Provider.DisplayName}, nil
}

// UpstreamCallbackRequest is the provider's redirect back to GuestPass.
type UpstreamCallbackRequest struct {
	TenantID  string
	FlowToken string
	State     string
	Code      string
	Error     string // the provider's error parameter, if it sent one
	Client    Client
}

func refuse(code, format string, args ...any) *Error {
	return Errorf(KindForbidden, code, format, args...)
}

// CompleteUpstream checks the provider's answer and continues the sign-in
// as any proven first factor does (consent, second factor, session). The
// flow's upstream state is spent first, so a callback works once.
func (s *Service) CompleteUpstream(ctx context.Context, req UpstreamCallbackRequest) (*SignInResult, error) {
	t, err := s.getTenant(ctx, s.store, req.TenantID)
	if err != nil {
		return nil, err
	}
	flow, err := s.spendUpstream(ctx, t, req.FlowToken)
	if err != nil {
		return nil, err
	}
	g, _ := s.store.GetGuestByMail(ctx, t.ID, flow.Mail)
	p, id, err := s.upstreamIdentity(ctx, t, flow, req)
	if err != nil {
		var e *Error
		reason := "upstream_failed"
		if errors.As(err, &e) {
			reason = e.Code
		}
		return nil, errors.Join(err, s.audit(ctx, s.store, signInEvent(t.ID, g, "upstream.verify", reason, req.Client)))
	}
	g, err = s.federatedGuest(ctx, t, p, flow, req.Client)
	if err != nil {
		return nil, err
	}
	flow.GuestID, flow.IDP, flow.AMR, flow.State = g.ID, p.Issuer, id.AMR, FlowStarted
	if g.State == GuestPendingAcceptance {
		flow.State = FlowConsent
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.UpdateFlow(ctx, flow); err != nil {
			return internal("update flow", err)
		}
		return s.audit(ctx, tx, signInEvent(t.ID, g, "upstream.verify", "", req.Client))
	})
	if err != nil {
		return nil, err
	}
	return s.firstFactorProven(ctx, t, g, flow, req.Client)
}

// spendUpstream takes the flow out of FlowUpstream, returning it as it was.
func (s *Service) spendUpstream(ctx context.Context, t *Tenant, token string) (*Flow, error) {
	var spent *Flow
	err := s.store.Update(ctx, func(tx Tx) error {
		f, err := s.loadFlow(ctx, tx, t.ID, token)
		if err != nil {
			return err
		}
		if f.State != FlowUpstream {
			return ErrFlowExpired
		}
		before := *f
		f.State, f.UpstreamID, f.UpstreamState, f.UpstreamNonce, f.UpstreamVerifier = FlowStarted, "", nil, "", nil
		if err := tx.UpdateFlow(ctx, f); err != nil {
			return internal("update flow", err)
		}
		spent = &before
		return nil
	})
	return spent, err
}

// upstreamIdentity checks state, exchanges the code, and checks nonce and
// address: only a verified email equal to the invited address signs in.
func (s *Service) upstreamIdentity(ctx context.Context, t *Tenant, flow *Flow, req UpstreamCallbackRequest) (*IdentityProvider, *UpstreamIdentity, error) {
	if subtle.ConstantTimeCompare(HashToken(req.State), flow.UpstreamState) != 1 {
		return nil, nil, refuse("invalid_state", "This sign-in answer does not belong to this browser's sign-in. Start again.")
	}
	if req.Error != "" {
		return nil, nil, refuse("upstream_error", "Your organization's sign-in did not complete (%s). Start again, or contact the person who invited you.", quoteSafe(req.Error))
	}
	p, err := s.getIDP(ctx, s.store, t.ID, flow.UpstreamID)
	if err != nil {
		return nil, nil, refuse(reasonProviderGone, "This sign-in is no longer offered by %s. Start again.", t.DisplayName)
	}
	uc, err := s.upstreamClient(p)
	if err != nil {
		return nil, nil, err
	}
	verifier, err := s.keys.Open(flow.UpstreamVerifier, flow.IDHash)
	if err != nil {
		return nil, nil, internal("open verifier", err)
	}
	id, err := s.upstream.Exchange(ctx, uc, req.Code, string(verifier), s.clock.Now())
	if err != nil {
		return nil, nil, err
	}
	if subtle.ConstantTimeCompare([]byte(id.Nonce), []byte(flow.UpstreamNonce)) != 1 {
		return nil, nil, refuse("invalid_nonce", "The identity provider's answer was not made for this sign-in. Start again.")
	}
	if !id.EmailVerified {
		return nil, nil, refuse("email_not_verified", "Your organization's sign-in did not confirm your email address, so %s cannot accept it.", t.DisplayName)
	}
	if addr, err := ParseAddress(id.Email); err != nil || addr != flow.Mail {
		return nil, nil, refuse("email_mismatch", "You signed in as %s, but the invitation is for %s. Sign out of your organization's sign-in and use the invited account.", quoteSafe(id.Email), MaskAddress(flow.Mail))
	}
	return p, id, nil
}

// federatedGuest is the guest the proven address belongs to, if it may
// sign in this way. The address is proven, so the page may be specific.
func (s *Service) federatedGuest(ctx context.Context, t *Tenant, p *IdentityProvider, flow *Flow, c Client) (*Guest, error) {
	g, reason, err := s.codeEligibility(ctx, s.store, t, flow.Mail)
	if err != nil {
		return nil, err
	}
	if reason == "" && g.RedeemedWith != "" && g.RedeemedWith != p.Issuer {
		reason = reasonSticky
	}
	switch reason {
	case "", "locked": // the lock guards email codes, not upstream sign-ins
		return g, nil
	}
	if err := s.audit(ctx, s.store, signInEvent(t.ID, g, "upstream.verify", reason, c)); err != nil {
		return nil, err
	}
	switch reason {
	case "unknown_address":
		return nil, refuse("not_invited", "%s has not invited %s as a guest. Ask them for an invitation.", t.DisplayName, MaskAddress(flow.Mail))
	case "guest_disabled":
		return nil, refuse("guest_disabled", "Your access to %s has been disabled. Contact the person who invited you.", t.DisplayName)
	case "invitation_expired":
		return nil, refuse("invitation_expired", "This invitation has expired. Ask %s for a new one.", t.DisplayName)
	}
	return nil, refuse(reasonSticky, "You accepted your invitation with another sign-in; keep using it, or ask the person who invited you to reset your redemption.")
}

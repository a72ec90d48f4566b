package guestpass

import (
	"context"
	"errors"
)

// ConsentRequest answers the one-time consent page of a first redemption.
type ConsentRequest struct {
	TenantID  string
	FlowToken string
	Accept    bool
	Client    Client
}

// Consent completes a first redemption: the guest is accepted, the
// invitation redeemed and a session begins, in one transaction.
func (s *Service) Consent(ctx context.Context, req ConsentRequest) (*SignInResult, error) {
	t, err := s.getTenant(ctx, s.store, req.TenantID)
	if err != nil {
		return nil, err
	}
	flow, err := s.loadFlow(ctx, s.store, t.ID, req.FlowToken)
	if err != nil {
		return nil, err
	}
	if flow.State != FlowConsent || flow.GuestID == "" {
		return nil, ErrFlowExpired
	}
	g, err := s.getGuest(ctx, s.store, t.ID, flow.GuestID)
	if err != nil {
		return nil, err
	}
	if !req.Accept {
		err := s.store.Update(ctx, func(tx Tx) error {
			if err := tx.DeleteFlow(ctx, flow.IDHash); err != nil {
				return internal("delete flow", err)
			}
			return s.audit(ctx, tx, signInEvent(t.ID, g, "consent", "declined", req.Client))
		})
		return &SignInResult{Tenant: t, Guest: g}, err
	}
	return s.consented(ctx, t, g, flow, req.Client)
}

// firstFactorProven continues a sign-in whose flow has just proven its
// first factor (an emailed code, or an upstream identity provider recorded
// in flow.IDP/AMR). Every way in goes through here so the order is the same
// for all: consent on a first redemption, then the tenant's second factor,
// then the session.
func (s *Service) firstFactorProven(ctx context.Context, t *Tenant, g *Guest, flow *Flow, c Client) (*SignInResult, error) {
	if g.State == GuestPendingAcceptance {
		return &SignInResult{Tenant: t, Guest: g, NeedConsent: true}, nil
	}
	return s.consented(ctx, t, g, flow, c)
}

// consented is the step after consent (or when none is needed): the place a
// second factor is demanded before the session begins.
func (s *Service) consented(ctx context.Context, t *Tenant, g *Guest, flow *Flow, c Client) (*SignInResult, error) {
	need, err := s.flowNeedsMFA(ctx, t, g, flow)
	if err != nil {
		return nil, err
	}
	if need {
		return s.demandMFA(ctx, t, g, flow)
	}
	idp, amr := flow.FirstFactor()
	return s.finishSignIn(ctx, t, g, flow, c, idp, amr)
}

// finishSignIn redeems a pending guest, creates the session, ends the flow
// and picks the destination, in one transaction.
func (s *Service) finishSignIn(ctx context.Context, t *Tenant, g *Guest, flow *Flow, c Client, idp string, amr []string) (*SignInResult, error) {
	token, err := NewToken(s.rand)
	if err != nil {
		return nil, err
	}
	proxyToken, err := NewToken(s.rand)
	if err != nil {
		return nil, err
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	sess := &Session{TokenHash: HashToken(token), ID: id, TenantID: t.ID, GuestID: g.ID, AuthTime: now, AMR: amr, IDP: idp,
		ProxyTokenHash: HashToken(proxyToken), CreatedAt: now, ExpiresAt: now.Add(t.Settings.SessionLifetime)}
	res := &SignInResult{Tenant: t, Guest: g, Session: &SessionGrant{Token: token, ProxyToken: proxyToken, Session: sess}}
	err = s.store.Update(ctx, func(tx Tx) error {
		redirect, err := s.redeem(ctx, tx, g, flow, c)
		if err != nil {
			return err
		}
		res.RedirectTo = redirect
		g.LastSignInAt, g.UpdatedAt = now, now
		if g.RedeemedWith == "" {
			g.RedeemedWith = idp // sticky from now on (and for guests from before federation)
		}
		if err := tx.UpdateGuest(ctx, g); err != nil {
			return internal("update guest", err)
		}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return internal("create session", err)
		}
		if err := tx.DeleteFlow(ctx, flow.IDHash); err != nil {
			return internal("delete flow", err)
		}
		return s.audit(ctx, tx, signInEvent(t.ID, g, "signIn", "", c))
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// redeem marks a pending guest accepted and its invitation completed, and
// returns where the guest goes next: a pending app sign-in wins, then the
// invitation's redirect URL, then the tenant's app list.
func (s *Service) redeem(ctx context.Context, tx Tx, g *Guest, flow *Flow, c Client) (string, error) {
	now := s.clock.Now()
	inv, err := s.redemptionInvitation(ctx, tx, g, flow)
	if err != nil {
		return "", err
	}
	if g.State == GuestPendingAcceptance {
		g.State, g.RedeemedAt = GuestAccepted, now
		if inv != nil {
			inv.Status, inv.RedeemedAt, inv.UpdatedAt = InvitationCompleted, now, now
			if err := tx.UpdateInvitation(ctx, inv); err != nil {
				return "", internal("update invitation", err)
			}
		}
		if err := s.audit(ctx, tx, signInEvent(g.TenantID, g, "invitation.redeem", "", c)); err != nil {
			return "", err
		}
	}
	switch {
	case flow.ReturnTo != "":
		return flow.ReturnTo, nil
	case inv != nil && inv.RedirectURL != "":
		return inv.RedirectURL, nil
	}
	return s.TenantURL(g.TenantID, "/apps"), nil
}

func (s *Service) redemptionInvitation(ctx context.Context, tx Tx, g *Guest, flow *Flow) (*Invitation, error) {
	var inv *Invitation
	var err error
	if flow.InvitationID != "" {
		inv, err = tx.GetInvitation(ctx, g.TenantID, flow.InvitationID)
	} else {
		inv, err = tx.LatestInvitation(ctx, g.TenantID, g.ID)
	}
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return inv, internal("get invitation", err)
}

var errNoSession = Errorf(KindUnauthorized, "no_session", "Sign in to continue.")

// SessionByToken resolves a session cookie of tenantID. Expired, revoked or
// foreign sessions and disabled guests are refused. The results are the
// caller's own copies.
func (s *Service) SessionByToken(ctx context.Context, tenantID, token string) (*Session, *Guest, error) {
	if len(token) < 20 || len(token) > 100 {
		return nil, nil, errNoSession
	}
	a, err := s.ActiveSession(ctx, HashToken(token))
	if err != nil {
		return nil, nil, err
	}
	if a.Session.TenantID != tenantID {
		return nil, nil, errNoSession
	}
	sess, g := *a.Session, *a.Guest
	return &sess, &g, nil
}

// ActiveSession resolves a session token hash through this node's session
// view, loading it from the store on a miss. It refuses (errNoSession)
// what is expired, revoked, of a disabled or deleted guest, or signed in by
// email code in a tenant that has since switched codes off. The result is
// shared: the caller must not modify it, and must check the tenant itself.
func (s *Service) ActiveSession(ctx context.Context, tokenHash []byte) (*ActiveSession, error) {
	a := s.view.get(tokenHash)
	if a == nil {
		gen := s.view.generation()
		sess, err := s.store.GetSession(ctx, tokenHash)
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

// SessionByID is ActiveSession by the session's public handle, for tokens
// that name their session (OIDC) rather than carry its secret.
func (s *Service) SessionByID(ctx context.Context, tenantID, id string) (*ActiveSession, error) {
	a := s.view.getByID(id)
	if a == nil {
		gen := s.view.generation()
		sess, err := s.store.GetSessionByID(ctx, tenantID, id)
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
	if a.Session.TenantID != tenantID || !s.usable(a) {
		return nil, errNoSession
	}
	return a, nil
}

// loadActive completes a stored session with its guest and tenant and, when
// usable, caches it (unless an invalidation raced the load: see gen).
func (s *Service) loadActive(ctx context.Context, sess *Session, gen uint64) (*ActiveSession, error) {
	g, err := s.store.GetGuest(ctx, sess.TenantID, sess.GuestID)
	if errors.Is(err, ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, internal("get guest", err)
	}
	t, err := s.getTenant(ctx, s.store, sess.TenantID)
	if KindOf(err) == KindNotFound {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	a := &ActiveSession{Session: sess, Guest: g, Tenant: t}
	if s.usable(a) {
		s.view.put(a, gen)
	}
	return a, nil
}

// usable is the whole rule for honouring a session at this moment.
func (s *Service) usable(a *ActiveSession) bool {
	if !a.Session.Live(s.clock.Now()) || a.Guest.State == GuestDisabled {
		return false
	}
	return a.Tenant.EmailOTPAllowed() || !a.Session.ByEmailCode()
}

// SignOut revokes the session behind token, if it is one of tenantID's.
func (s *Service) SignOut(ctx context.Context, tenantID, token string, c Client) error {
	sess, g, err := s.SessionByToken(ctx, tenantID, token)
	if err != nil {
		return nil // nothing to end
	}
	return s.update(ctx, func(tx Tx) error {
		if err := tx.RevokeSession(ctx, sess.TokenHash, s.clock.Now()); err != nil {
			return internal("revoke session", err)
		}
		change := Change{Kind: ChangeSession, TenantID: tenantID, GuestID: g.ID, SessionID: sess.ID}
		if err := s.recordChange(ctx, tx, change); err != nil {
			return err
		}
		return s.audit(ctx, tx, signInEvent(tenantID, g, "signOut", "", c))
	})
}

// SessionCookieName is the guest session cookie of a tenant. It carries the
// tenant id: one browser may be a guest of several tenants at once. The
// pages set it; the OpenID provider reads it.
func SessionCookieName(tenantID string) string { return "__Host-gp-session-" + tenantID }

package guestpass

import (
	"context"
	"errors"
)

// maxRevokedGrants bounds Session.RevokedGrants: a session with more
// replayed codes than this is revoked whole instead.
const maxRevokedGrants = 20

// RevokeOIDCGrant revokes every token issued from the code of req, as RFC
// 6749 §4.1.2 asks when a code is presented a second time (one of the two
// presenters is not the client, and it may have been first): the grant's
// refresh tokens are deleted, and its access tokens are refused on every
// node once the change feed brings the session's new RevokedGrants. The
// guest's session itself, and its other grants, live on. Audited as a
// failed sign-in event of the guest.
func (s *Service) RevokeOIDCGrant(ctx context.Context, req *OIDCAuthRequest, c Client) error {
	return s.update(ctx, func(tx Tx) error {
		if _, err := tx.DeleteOIDCGrantRefreshTokens(ctx, req.TenantID, req.ID); err != nil {
			return internal("delete grant refresh tokens", err)
		}
		if req.SessionID != "" {
			if err := s.revokeSessionGrant(ctx, tx, req); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: req.TenantID, Type: AuditSignIn, Action: "oidc.token",
			Outcome: "failure", Reason: "code_reused", GuestID: req.GuestID, Actor: "client", IP: c.IP,
			UserAgent: c.UserAgent, Detail: req.ClientID})
	})
}

func (s *Service) revokeSessionGrant(ctx context.Context, tx Tx, req *OIDCAuthRequest) error {
	sess, err := tx.GetSessionByID(ctx, req.TenantID, req.SessionID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil // no session, no usable token
	case err != nil:
		return internal("get session", err)
	case len(sess.RevokedGrants) >= maxRevokedGrants:
		err = tx.RevokeSession(ctx, sess.TokenHash, s.clock.Now())
	default:
		err = tx.RevokeSessionGrant(ctx, req.TenantID, req.SessionID, req.ID)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return internal("revoke grant", err)
	}
	return s.recordChange(ctx, tx, Change{Kind: ChangeSession, TenantID: req.TenantID, GuestID: sess.GuestID, SessionID: sess.ID})
}

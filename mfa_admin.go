package guestpass

import "context"

// GuestMFAMethods lists a guest's confirmed second factors for an admin.
// Secrets stay sealed: callers get kind and dates only.
func (s *Service) GuestMFAMethods(ctx context.Context, actor *AdminToken, tenantID, guestID string) ([]*MFAMethod, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, err
	}
	if _, err := s.getGuest(ctx, s.store, tenantID, guestID); err != nil {
		return nil, err
	}
	ms, err := s.store.ListMFAMethods(ctx, tenantID, guestID)
	if err != nil {
		return nil, internal("list mfa methods", err)
	}
	return confirmed(ms), nil
}

// ResetGuestMFA removes every method and recovery code of a guest, so the
// next sign-in registers again. It also ends the guest's sessions (a reset
// usually means a lost or stolen phone) and records a change so every node
// drops them at once.
func (s *Service) ResetGuestMFA(ctx context.Context, actor *AdminToken, tenantID, guestID string) (int, error) {
	if err := authorize(actor, tenantID); err != nil {
		return 0, err
	}
	var n int
	err := s.update(ctx, func(tx Tx) error {
		if _, err := s.getGuest(ctx, tx, tenantID, guestID); err != nil {
			return err
		}
		var err error
		if n, err = tx.DeleteMFAMethods(ctx, tenantID, guestID); err != nil {
			return internal("delete mfa methods", err)
		}
		if _, err := tx.RevokeGuestSessions(ctx, tenantID, guestID, s.clock.Now()); err != nil {
			return internal("revoke sessions", err)
		}
		if err := s.recordChange(ctx, tx, guestChange(tenantID, guestID)); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "guest.resetMfa", Outcome: "success", GuestID: guestID, Actor: actorID(actor)})
	})
	return n, err
}

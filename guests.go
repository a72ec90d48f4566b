package guestpass

import (
	"context"
	"errors"
)

// GuestPatch is a partial update of a guest. Enabled false disables the
// guest and revokes its sessions; true restores the state its redemption
// implies.
type GuestPatch struct {
	DisplayName *string
	Enabled     *bool
}

func (s *Service) getGuest(ctx context.Context, q Queries, tenantID, id string) (*Guest, error) {
	g, err := q.GetGuest(ctx, tenantID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(KindNotFound, "guest_not_found", "no guest with id %s in this organization", quoteSafe(id))
	}
	return g, internal("get guest", err)
}

// GetGuest returns one guest.
func (s *Service) GetGuest(ctx context.Context, actor *AdminToken, tenantID, id string) (*Guest, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, err
	}
	return s.getGuest(ctx, s.store, tenantID, id)
}

// ListGuests pages through a tenant's guests, optionally by state.
func (s *Service) ListGuests(ctx context.Context, actor *AdminToken, tenantID string, state GuestState, p Page) ([]*Guest, string, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, "", err
	}
	switch state {
	case "", GuestPendingAcceptance, GuestAccepted, GuestDisabled:
	default:
		return nil, "", Errorf(KindInvalid, "invalid_filter", "state must be pendingAcceptance, accepted or disabled")
	}
	if _, err := s.getTenant(ctx, s.store, tenantID); err != nil {
		return nil, "", err
	}
	gs, next, err := s.store.ListGuests(ctx, tenantID, state, p)
	return gs, next, internal("list guests", err)
}

// UpdateGuest renames, disables or re-enables a guest. Disabling revokes
// every session in the same transaction.
func (s *Service) UpdateGuest(ctx context.Context, actor *AdminToken, tenantID, id string, p *GuestPatch) (*Guest, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, err
	}
	if p.DisplayName != nil {
		if err := validDisplayName(*p.DisplayName, "displayName"); err != nil {
			return nil, err
		}
	}
	var out *Guest
	err := s.update(ctx, func(tx Tx) error {
		g, err := s.getGuest(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		action := "guest.update"
		if p.DisplayName != nil {
			g.DisplayName = *p.DisplayName
		}
		if p.Enabled != nil {
			if action, err = s.setGuestEnabled(ctx, tx, g, *p.Enabled); err != nil {
				return err
			}
		}
		g.UpdatedAt = s.clock.Now()
		if err := tx.UpdateGuest(ctx, g); err != nil {
			return internal("update guest", err)
		}
		if err := s.recordChange(ctx, tx, guestChange(g.TenantID, g.ID)); err != nil {
			return err
		}
		out = g
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: action, Outcome: "success", GuestID: id, Actor: actorID(actor)})
	})
	return out, err
}

func (s *Service) setGuestEnabled(ctx context.Context, tx Tx, g *Guest, enabled bool) (string, error) {
	switch {
	case !enabled:
		g.State = GuestDisabled
		if _, err := tx.RevokeGuestSessions(ctx, g.TenantID, g.ID, s.clock.Now()); err != nil {
			return "", internal("revoke sessions", err)
		}
		return "guest.disable", nil
	case g.State == GuestDisabled && g.RedeemedAt.IsZero():
		g.State = GuestPendingAcceptance
	case g.State == GuestDisabled:
		g.State = GuestAccepted
	}
	return "guest.enable", nil
}

// DeleteGuest removes a guest with its invitations and sessions; the audit
// history stays.
func (s *Service) DeleteGuest(ctx context.Context, actor *AdminToken, tenantID, id string) error {
	if err := authorize(actor, tenantID); err != nil {
		return err
	}
	return s.update(ctx, func(tx Tx) error {
		if _, err := s.getGuest(ctx, tx, tenantID, id); err != nil {
			return err
		}
		if err := tx.DeleteGuest(ctx, tenantID, id); err != nil {
			return internal("delete guest", err)
		}
		if err := s.recordChange(ctx, tx, guestChange(tenantID, id)); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "guest.delete", Outcome: "success", GuestID: id, Actor: actorID(actor)})
	})
}

// RevokeGuestSessions signs a guest out everywhere.
func (s *Service) RevokeGuestSessions(ctx context.Context, actor *AdminToken, tenantID, id string) (int, error) {
	if err := authorize(actor, tenantID); err != nil {
		return 0, err
	}
	var n int
	err := s.update(ctx, func(tx Tx) error {
		if _, err := s.getGuest(ctx, tx, tenantID, id); err != nil {
			return err
		}
		var err error
		if n, err = tx.RevokeGuestSessions(ctx, tenantID, id, s.clock.Now()); err != nil {
			return internal("revoke sessions", err)
		}
		if err := s.recordChange(ctx, tx, guestChange(tenantID, id)); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "guest.revokeSessions", Outcome: "success", GuestID: id, Actor: actorID(actor)})
	})
	return n, err
}

// guestChange drops whatever a node holds of the guest's sessions.
func guestChange(tenantID, guestID string) Change {
	return Change{Kind: ChangeGuest, TenantID: tenantID, GuestID: guestID}
}

package guestpass

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// InviteRequest is the Graph-shaped invitation input.
type InviteRequest struct {
	Email           string
	DisplayName     string
	RedirectURL     string
	SendMessage     bool
	MessageBody     string
	ResetRedemption bool
	Locale          string

	reset bool // ResetRedemption undid an existing redemption
}

// InviteResult is what the admin gets back; RedeemURL carries the ticket and
// is shown only here and in the email.
type InviteResult struct {
	Invitation *Invitation
	Guest      *Guest
	RedeemURL  string
}

const maxMessageBody = 4000

// Invite creates (or finds) the guest, a new invitation and its email job in
// one transaction. Inviting an existing guest sends a new invitation to the
// same guest.
func (s *Service) Invite(ctx context.Context, actor *AdminToken, tenantID string, req InviteRequest) (*InviteResult, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, err
	}
	return s.invite(ctx, actor, tenantID, req)
}

// InviteLocal is Invite for the trusted local CLI and --demo.
func (s *Service) InviteLocal(ctx context.Context, tenantID string, req InviteRequest) (*InviteResult, error) {
	return s.invite(ctx, nil, tenantID, req)
}

func (s *Service) invite(ctx context.Context, admin *AdminToken, tenantID string, req InviteRequest) (*InviteResult, error) {
	actor := actorID(admin)
	// Not the cache: the quota and domain rules an admin just changed on
	// another node apply to the next invitation.
	tenant, err := s.loadTenant(ctx, s.store, tenantID)
	if err != nil {
		return nil, err
	}
	addr, redirect, err := s.checkInvite(tenant, &req)
	if err != nil {
		return nil, err
	}
	ticket, err := NewToken(s.rand)
	if err != nil {
		return nil, err
	}
	var res *InviteResult
	err = s.update(ctx, func(tx Tx) error {
		guest, err := s.inviteGuest(ctx, tx, tenant, addr, actor, &req)
		if err != nil {
			return err
		}
		inv, err := s.newInvitation(ctx, tx, tenant, guest, admin, redirect, ticket, &req)
		if err != nil {
			return err
		}
		res = &InviteResult{Invitation: inv, Guest: guest, RedeemURL: s.redeemURL(tenantID, ticket)}
		if req.reset {
			e := AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "invitation.resetRedemption", Outcome: "success", GuestID: guest.ID, Actor: actor, Detail: inv.ID}
			if err := s.audit(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "invitation.create", Outcome: "success", GuestID: guest.ID, Actor: actor, Detail: inv.ID}); err != nil {
			return err
		}
		// The quota last: its row is the tenant's one hot row, and a
		// transaction holds it locked from the take to the commit. Taken
		// last, invitations of one tenant wait for each other's commit
		// only; a refusal rolls back what came before.
		quota := Limit{Burst: tenant.Settings.InvitationQuotaPerDay, Per: 24 * 60 * 60e9}
		if ok, _, err := s.take(ctx, tx, "invite:"+tenantID, quota); err != nil || !ok {
			if err == nil {
				err = Errorf(KindRateLimited, "quota_exceeded", "this organization has sent its %d invitations for today; try again later", quota.Burst)
			}
			return err
		}
		return nil
	})
	return res, err
}

func (s *Service) redeemURL(tenantID, ticket string) string {
	return s.TenantURL(tenantID, "/redeem?ticket="+url.QueryEscape(ticket))
}

// checkInvite validates every field before anything is written.
func (s *Service) checkInvite(t *Tenant, req *InviteRequest) (addr, redirect string, err error) {
	if addr, err = ParseAddress(req.Email); err != nil {
		return "", "", err
	}
	if err = t.CheckInvitee(addr); err != nil {
		return "", "", err
	}
	req.DisplayName = strings.TrimSpace(req.DisplayName)
	if err = validDisplayName(req.DisplayName, "invitedUserDisplayName"); err != nil {
		return "", "", err
	}
	if err = validMessageBody(req.MessageBody); err != nil {
		return "", "", err
	}
	redirect = s.TenantURL(t.ID, "/apps")
	if req.RedirectURL != "" {
		if redirect, err = ValidateRedirectURL(req.RedirectURL); err != nil {
			return "", "", err
		}
	}
	return addr, redirect, nil
}

func validMessageBody(b string) error {
	if len(b) > maxMessageBody || !utf8.ValidString(b) {
		return Errorf(KindInvalid, "invalid_message", "customizedMessageBody must be valid UTF-8 of at most %d bytes", maxMessageBody)
	}
	for _, r := range b {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return Errorf(KindInvalid, "invalid_message", "customizedMessageBody contains control characters")
		}
	}
	return nil
}

// ValidateRedirectURL accepts an absolute http(s) URL without credentials.
func ValidateRedirectURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2048 || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", Errorf(KindInvalid, "invalid_redirect_url", "inviteRedirectUrl must be an absolute http or https URL")
	}
	return u.String(), nil
}

// inviteGuest finds or creates the guest for a new invitation.
func (s *Service) inviteGuest(ctx context.Context, tx Tx, t *Tenant, addr, actor string, req *InviteRequest) (*Guest, error) {
	now := s.clock.Now()
	g, err := tx.GetGuestByMail(ctx, t.ID, addr)
	if errors.Is(err, ErrNotFound) {
		id, err := s.newID()
		if err != nil {
			return nil, err
		}
		g = &Guest{ID: id, TenantID: t.ID, Mail: addr, DisplayName: req.DisplayName, State: GuestPendingAcceptance,
			InvitedBy: actor, InvitedAt: now, CreatedAt: now, UpdatedAt: now}
		return g, internal("create guest", tx.CreateGuest(ctx, g))
	}
	if err != nil {
		return nil, internal("get guest", err)
	}
	if g.State == GuestDisabled {
		return nil, Errorf(KindConflict, "guest_disabled", "this guest is disabled; enable it before inviting again")
	}
	if req.DisplayName != "" {
		g.DisplayName = req.DisplayName
	}
	if req.ResetRedemption && (g.RedeemedWith != "" || g.State == GuestAccepted) {
		// The guest redeems anew, by the redemption order of today; its id,
		// app assignments and audit history stay.
		g.RedeemedWith, req.reset = "", true
	}
	if req.ResetRedemption && g.State == GuestAccepted {
		g.State, g.RedeemedAt = GuestPendingAcceptance, timeZero
		if _, err := tx.RevokeGuestSessions(ctx, t.ID, g.ID, now); err != nil {
			return nil, internal("revoke sessions", err)
		}
		if err := s.recordChange(ctx, tx, guestChange(t.ID, g.ID)); err != nil {
			return nil, err
		}
	}
	g.InvitedBy, g.InvitedAt, g.UpdatedAt = actor, now, now
	return g, internal("update guest", tx.UpdateGuest(ctx, g))
}

func (s *Service) newInvitation(ctx context.Context, tx Tx, t *Tenant, g *Guest, admin *AdminToken, redirect, ticket string, req *InviteRequest) (*Invitation, error) {
	now := s.clock.Now()
	actor, inviter := actorID(admin), t.DisplayName
	if admin != nil && admin.Name != "" {
		inviter = admin.Name
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	inv := &Invitation{ID: id, TenantID: t.ID, GuestID: g.ID, InvitedBy: actor, RedirectURL: redirect, Message: req.MessageBody,
		TicketHash: HashToken(ticket), Status: InvitationPending, DeliveryState: DeliveryNone,
		ExpiresAt: now.Add(t.Settings.InvitationLifetime), CreatedAt: now, UpdatedAt: now}
	if g.State == GuestAccepted {
		inv.Status, inv.RedeemedAt = InvitationCompleted, g.RedeemedAt
	}
	if req.SendMessage {
		msg := &Message{Kind: MailInvitation, To: g.Mail, ToName: g.DisplayName, Locale: req.Locale, TenantName: t.DisplayName,
			InviterName: inviter, Body: req.MessageBody, Link: s.redeemURL(t.ID, ticket), ExpiresAt: inv.ExpiresAt}
		job, err := s.sealMessage(msg, t.ID, inv.ID, timeZero, false)
		if err != nil {
			return nil, err
		}
		if err := tx.EnqueueMail(ctx, job); err != nil {
			return nil, internal("enqueue invitation", err)
		}
		inv.SendCount, inv.LastMailID, inv.DeliveryState = 1, job.ID, DeliveryQueued
	}
	return inv, internal("create invitation", tx.CreateInvitation(ctx, inv))
}

// GetInvitation returns one invitation with its delivery state.
func (s *Service) GetInvitation(ctx context.Context, actor *AdminToken, tenantID, id string) (*Invitation, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, err
	}
	inv, err := s.store.GetInvitation(ctx, tenantID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(KindNotFound, "invitation_not_found", "no invitation with id %s", quoteSafe(id))
	}
	return inv, internal("get invitation", err)
}

// ListInvitations pages through a tenant's invitations.
func (s *Service) ListInvitations(ctx context.Context, actor *AdminToken, tenantID string, p Page) ([]*Invitation, string, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, "", err
	}
	if _, err := s.getTenant(ctx, s.store, tenantID); err != nil {
		return nil, "", err
	}
	invs, next, err := s.store.ListInvitations(ctx, tenantID, p)
	return invs, next, internal("list invitations", err)
}

package sqlite

import (
	"context"
	"time"

	"github.com/guestpass/guestpass"
)

const invitationCols = `id, tenant_id, guest_id, invited_by, redirect_url, message, ticket_hash,
	status, send_count, last_mail_id, delivery_state, delivery_error, expires_at, created_at,
	updated_at, redeemed_at`

func scanInvitation(sc scanner) (*guestpass.Invitation, error) {
	var i guestpass.Invitation
	err := sc.Scan(&i.ID, &i.TenantID, &i.GuestID, &i.InvitedBy, &i.RedirectURL, &i.Message,
		&i.TicketHash, &i.Status, &i.SendCount, &i.LastMailID, &i.DeliveryState, &i.DeliveryError,
		ts(&i.ExpiresAt), ts(&i.CreatedAt), ts(&i.UpdatedAt), ts(&i.RedeemedAt))
	if err != nil {
		return nil, err
	}
	return &i, nil
}

func (q queries) CreateInvitation(ctx context.Context, i *guestpass.Invitation) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO invitations (`+invitationCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		i.ID, i.TenantID, i.GuestID, i.InvitedBy, i.RedirectURL, i.Message, i.TicketHash, i.Status,
		i.SendCount, i.LastMailID, i.DeliveryState, i.DeliveryError, nanos(i.ExpiresAt),
		nanos(i.CreatedAt), nanos(i.UpdatedAt), nanos(i.RedeemedAt))
	return dbErr("create invitation", err)
}

func (q queries) getInvitation(ctx context.Context, op, where string, args ...any) (*guestpass.Invitation, error) {
	i, err := scanInvitation(q.rd.QueryRowContext(ctx, `SELECT `+invitationCols+` FROM invitations `+where, args...))
	if err != nil {
		return nil, dbErr(op, err)
	}
	return i, nil
}

func (q queries) GetInvitation(ctx context.Context, tenantID, id string) (*guestpass.Invitation, error) {
	return q.getInvitation(ctx, "get invitation", `WHERE tenant_id = ? AND id = ?`, tenantID, id)
}

func (q queries) GetInvitationByTicket(ctx context.Context, tenantID string, ticketHash []byte) (*guestpass.Invitation, error) {
	return q.getInvitation(ctx, "get invitation by ticket",
		`WHERE tenant_id = ? AND ticket_hash = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`, tenantID, ticketHash)
}

func (q queries) LatestInvitation(ctx context.Context, tenantID, guestID string) (*guestpass.Invitation, error) {
	return q.getInvitation(ctx, "latest invitation",
		`WHERE tenant_id = ? AND guest_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`, tenantID, guestID)
}

func (q queries) UpdateInvitation(ctx context.Context, i *guestpass.Invitation) error {
	res, err := q.wr.ExecContext(ctx, `UPDATE invitations SET invited_by = ?, redirect_url = ?,
		message = ?, ticket_hash = ?, status = ?, send_count = ?, last_mail_id = ?,
		delivery_state = ?, delivery_error = ?, expires_at = ?, updated_at = ?, redeemed_at = ?
		WHERE tenant_id = ? AND id = ?`,
		i.InvitedBy, i.RedirectURL, i.Message, i.TicketHash, i.Status, i.SendCount, i.LastMailID,
		i.DeliveryState, i.DeliveryError, nanos(i.ExpiresAt), nanos(i.UpdatedAt), nanos(i.RedeemedAt),
		i.TenantID, i.ID)
	return affected("update invitation", res, err)
}

// ListInvitations lists a tenant's invitations oldest first.
func (q queries) ListInvitations(ctx context.Context, tenantID string, p guestpass.Page) ([]*guestpass.Invitation, string, error) {
	return listing[*guestpass.Invitation]{
		op:    "list invitations",
		query: `SELECT ` + invitationCols + ` FROM invitations WHERE tenant_id = ?`,
		col:   "created_at",
		scan:  scanInvitation,
		key:   func(i *guestpass.Invitation) pageKey { return pageKey{At: nanos(i.CreatedAt), ID: i.ID} },
	}.run(ctx, q.rd, p, tenantID)
}

// SetMailDelivery matches on last_mail_id, so the outcome of a replaced
// mail changes nothing. An unknown invitation is not an error either: the
// guest may have been deleted while the mail was in flight.
func (q queries) SetMailDelivery(ctx context.Context, tenantID, invitationID, mailID string, state guestpass.DeliveryState, reason string, at time.Time) error {
	_, err := q.wr.ExecContext(ctx, `UPDATE invitations SET delivery_state = ?, delivery_error = ?,
		updated_at = ?
		WHERE tenant_id = ? AND id = ? AND last_mail_id = ?`,
		state, reason, nanos(at), tenantID, invitationID, mailID)
	return dbErr("set mail delivery", err)
}

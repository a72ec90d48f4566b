package sqlite

import (
	"context"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/storeutil"
)

const guestCols = `id, tenant_id, mail, display_name, state, invited_by, invited_at, redeemed_at,
	last_sign_in_at, created_at, updated_at, redeemed_with`

func scanGuest(sc scanner) (*guestpass.Guest, error) {
	var g guestpass.Guest
	err := sc.Scan(&g.ID, &g.TenantID, &g.Mail, &g.DisplayName, &g.State, &g.InvitedBy,
		ts(&g.InvitedAt), ts(&g.RedeemedAt), ts(&g.LastSignInAt), ts(&g.CreatedAt), ts(&g.UpdatedAt), &g.RedeemedWith)
	if err != nil {
		return nil, err
	}
	return &g, nil
}

func (q queries) CreateGuest(ctx context.Context, g *guestpass.Guest) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO guests (`+guestCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.ID, g.TenantID, g.Mail, g.DisplayName, g.State, g.InvitedBy, nanos(g.InvitedAt),
		nanos(g.RedeemedAt), nanos(g.LastSignInAt), nanos(g.CreatedAt), nanos(g.UpdatedAt), g.RedeemedWith)
	return dbErr("create guest", err)
}

func (q queries) GetGuest(ctx context.Context, tenantID, id string) (*guestpass.Guest, error) {
	g, err := scanGuest(q.rd.QueryRowContext(ctx,
		`SELECT `+guestCols+` FROM guests WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if err != nil {
		return nil, dbErr("get guest", err)
	}
	return g, nil
}

func (q queries) GetGuestByMail(ctx context.Context, tenantID, mail string) (*guestpass.Guest, error) {
	g, err := scanGuest(q.rd.QueryRowContext(ctx,
		`SELECT `+guestCols+` FROM guests WHERE tenant_id = ? AND mail = ?`, tenantID, mail))
	if err != nil {
		return nil, dbErr("get guest by mail", err)
	}
	return g, nil
}

func (q queries) UpdateGuest(ctx context.Context, g *guestpass.Guest) error {
	res, err := q.wr.ExecContext(ctx, `UPDATE guests SET mail = ?, display_name = ?, state = ?,
		invited_by = ?, invited_at = ?, redeemed_at = ?, last_sign_in_at = ?, updated_at = ?,
		redeemed_with = ? WHERE tenant_id = ? AND id = ?`,
		g.Mail, g.DisplayName, g.State, g.InvitedBy, nanos(g.InvitedAt), nanos(g.RedeemedAt),
		nanos(g.LastSignInAt), nanos(g.UpdatedAt), g.RedeemedWith, g.TenantID, g.ID)
	return affected("update guest", res, err)
}

// DeleteGuest relies on ON DELETE CASCADE for invitations and sessions.
func (q queries) DeleteGuest(ctx context.Context, tenantID, id string) error {
	res, err := q.wr.ExecContext(ctx, `DELETE FROM guests WHERE tenant_id = ? AND id = ?`, tenantID, id)
	return affected("delete guest", res, err)
}

// ListGuests lists a tenant's guests oldest first.
func (q queries) ListGuests(ctx context.Context, tenantID string, state guestpass.GuestState, p guestpass.Page) ([]*guestpass.Guest, string, error) {
	query, args := `SELECT `+guestCols+` FROM guests WHERE tenant_id = ?`, []any{tenantID}
	if state != "" {
		query, args = query+` AND state = ?`, append(args, state)
	}
	return listing[*guestpass.Guest]{
		op:    "list guests",
		query: query,
		col:   "created_at",
		scan:  scanGuest,
		key:   func(g *guestpass.Guest) pageKey { return pageKey{At: nanos(g.CreatedAt), ID: g.ID} },
	}.run(ctx, q.rd, p, args...)
}

// AddressState is one statement: the guest by address (left-joined, so an
// unknown address reads the same indexes), its newest invitation's expiry
// and the lock.
func (q queries) AddressState(ctx context.Context, tenantID, mail, lockKey string) (*guestpass.AddressState, error) {
	var st guestpass.AddressState
	var g storeutil.LeftGuest
	err := q.rd.QueryRowContext(ctx, `SELECT `+storeutil.LeftGuestCols+`,
		(SELECT i.expires_at FROM invitations i WHERE i.tenant_id = ?1 AND i.guest_id = g.id
			ORDER BY i.created_at DESC, i.rowid DESC LIMIT 1),
		(SELECT locked_until FROM locks WHERE key = ?3)
		FROM (SELECT 1) AS one LEFT JOIN guests g ON g.tenant_id = ?1 AND g.mail = ?2`, tenantID, mail, lockKey).Scan(
		append(g.Dest(), ts(&st.InvitationExpiresAt), ts(&st.LockedUntil))...)
	if err != nil {
		return nil, dbErr("address state", err)
	}
	st.Guest = g.Guest()
	return &st, nil
}

// AddressStateTakingTokens is AddressState and then takeTokens.
func (q queries) AddressStateTakingTokens(ctx context.Context, tenantID, mail, lockKey string, now time.Time, takes []guestpass.TokenTake) (*guestpass.AddressState, int, []int, error) {
	st, err := q.AddressState(ctx, tenantID, mail, lockKey)
	if err != nil {
		return nil, 0, nil, err
	}
	refused, remaining, err := q.takeTokens(ctx, now, takes)
	if err != nil {
		return nil, 0, nil, err
	}
	return st, refused, remaining, nil
}

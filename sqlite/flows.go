package sqlite

import (
	"context"
	"fmt"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/storeutil"
)

const flowCols = `id_hash, tenant_id, mail, invitation_id, return_to, state, code_mac,
	code_expires_at, code_attempts, code_sent_at, guest_id, created_at, expires_at, amr, idp, app_id, step_up,
	upstream_id, upstream_state, upstream_nonce, upstream_verifier`

func scanFlow(sc scanner) (*guestpass.Flow, error) {
	var f guestpass.Flow
	if err := sc.Scan(flowDest(&f)...); err != nil {
		return nil, err
	}
	return &f, nil
}

// flowDest are the scan targets of flowCols.
func flowDest(f *guestpass.Flow) []any {
	return []any{&f.IDHash, &f.TenantID, &f.Mail, &f.InvitationID, &f.ReturnTo, &f.State,
		&f.CodeMAC, ts(&f.CodeExpiresAt), &f.CodeAttempts, ts(&f.CodeSentAt), &f.GuestID,
		ts(&f.CreatedAt), ts(&f.ExpiresAt), list(&f.AMR), &f.IDP, &f.AppID, &f.StepUp,
		&f.UpstreamID, &f.UpstreamState, &f.UpstreamNonce, &f.UpstreamVerifier}
}

func (q queries) CreateFlow(ctx context.Context, f *guestpass.Flow) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO flows (`+flowCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.IDHash, f.TenantID, f.Mail, f.InvitationID, f.ReturnTo, f.State, blobOrNull(f.CodeMAC),
		nanos(f.CodeExpiresAt), f.CodeAttempts, nanos(f.CodeSentAt), f.GuestID, nanos(f.CreatedAt),
		nanos(f.ExpiresAt), jsonList(f.AMR), f.IDP, f.AppID, f.StepUp, f.UpstreamID, blobOrNull(f.UpstreamState), f.UpstreamNonce,
		blobOrNull(f.UpstreamVerifier))
	return dbErr("create flow", err)
}

// GetFlow returns an expired flow until PurgeExpired removes it: expiry is
// the caller's policy.
func (q queries) GetFlow(ctx context.Context, idHash []byte) (*guestpass.Flow, error) {
	f, err := scanFlow(q.rd.QueryRowContext(ctx, `SELECT `+flowCols+` FROM flows WHERE id_hash = ?`, idHash))
	if err != nil {
		return nil, dbErr("get flow", err)
	}
	return f, nil
}

func (q queries) UpdateFlow(ctx context.Context, f *guestpass.Flow) error {
	res, err := q.wr.ExecContext(ctx, `UPDATE flows SET mail = ?, invitation_id = ?, return_to = ?,
		state = ?, code_mac = ?, code_expires_at = ?, code_attempts = ?, code_sent_at = ?,
		guest_id = ?, expires_at = ?, amr = ?, idp = ?, app_id = ?, step_up = ?, upstream_id = ?,
		upstream_state = ?, upstream_nonce = ?, upstream_verifier = ?
		WHERE id_hash = ?`,
		f.Mail, f.InvitationID, f.ReturnTo, f.State, blobOrNull(f.CodeMAC), nanos(f.CodeExpiresAt),
		f.CodeAttempts, nanos(f.CodeSentAt), f.GuestID, nanos(f.ExpiresAt), jsonList(f.AMR), f.IDP, f.AppID, f.StepUp,
		f.UpstreamID, blobOrNull(f.UpstreamState), f.UpstreamNonce, blobOrNull(f.UpstreamVerifier), f.IDHash)
	return affected("update flow", res, err)
}

func (q queries) DeleteFlow(ctx context.Context, idHash []byte) error {
	res, err := q.wr.ExecContext(ctx, `DELETE FROM flows WHERE id_hash = ?`, idHash)
	return affected("delete flow", res, err)
}

// CountCodeAttempt is one UPDATE whose WHERE holds the whole condition, so
// racing callers can never exceed maxAttempts between them.
func (q queries) CountCodeAttempt(ctx context.Context, idHash []byte, maxAttempts int) (*guestpass.Flow, *guestpass.Guest, error) {
	f, err := scanFlow(q.wr.QueryRowContext(ctx, `UPDATE flows SET code_attempts = code_attempts + 1
		WHERE id_hash = ? AND code_mac IS NOT NULL AND code_attempts < ?
		RETURNING `+flowCols, idHash, maxAttempts))
	if err != nil {
		return nil, nil, dbErr("count code attempt", err)
	}
	// SQLite has no UPDATE inside WITH; the guest is a second read on the
	// same connection (the writer's: it sees this transaction).
	var g storeutil.LeftGuest
	err = q.wr.QueryRowContext(ctx, `SELECT `+storeutil.LeftGuestCols+` FROM (SELECT 1) AS one
		LEFT JOIN guests g ON g.tenant_id = ? AND g.mail = ?`, f.TenantID, f.Mail).Scan(g.Dest()...)
	if err != nil {
		return nil, nil, dbErr("count code attempt", err)
	}
	return f, g.Guest(), nil
}

// SpendCode is one UPDATE matching the MAC; the writer connection is this
// transaction's alone, so the flow cannot have changed since it was counted.
func (q queries) SpendCode(ctx context.Context, idHash, mac []byte, state guestpass.FlowState, guestID string) error {
	res, err := q.wr.ExecContext(ctx, `UPDATE flows SET code_mac = NULL, state = ?, guest_id = ?
		WHERE id_hash = ? AND code_mac = ?`, state, guestID, idHash, mac)
	if err != nil {
		return dbErr("spend code", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbErr("spend code", err)
	}
	if n != 1 {
		return fmt.Errorf("sqlite: spend code: changed %d rows, want 1: %w", n, guestpass.ErrConflict)
	}
	return nil
}

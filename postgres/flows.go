package postgres

import (
	"context"

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
	return q.execLate(ctx, "create flow", `INSERT INTO flows (`+flowCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		f.IDHash, f.TenantID, f.Mail, f.InvitationID, f.ReturnTo, f.State, bytesOrNull(f.CodeMAC),
		nanos(f.CodeExpiresAt), f.CodeAttempts, nanos(f.CodeSentAt), f.GuestID, nanos(f.CreatedAt),
		nanos(f.ExpiresAt), jsonList(f.AMR), f.IDP, f.AppID, f.StepUp, f.UpstreamID, bytesOrNull(f.UpstreamState), f.UpstreamNonce,
		bytesOrNull(f.UpstreamVerifier))
}

// GetFlow returns an expired flow until PurgeExpired removes it: expiry is
// the caller's policy.
func (q queries) GetFlow(ctx context.Context, idHash []byte) (*guestpass.Flow, error) {
	f, err := scanFlow(q.db.QueryRow(ctx, `SELECT `+flowCols+` FROM flows WHERE id_hash = $1`, idHash))
	if err != nil {
		return nil, dbErr("get flow", err)
	}
	return f, nil
}

func (q queries) UpdateFlow(ctx context.Context, f *guestpass.Flow) error {
	tag, err := q.db.Exec(ctx, `UPDATE flows SET mail = $1, invitation_id = $2, return_to = $3,
		state = $4, code_mac = $5, code_expires_at = $6, code_attempts = $7, code_sent_at = $8,
		guest_id = $9, expires_at = $10, amr = $11, idp = $12, app_id = $13, step_up = $14, upstream_id = $15,
		upstream_state = $16, upstream_nonce = $17, upstream_verifier = $18
		WHERE id_hash = $19`,
		f.Mail, f.InvitationID, f.ReturnTo, f.State, bytesOrNull(f.CodeMAC), nanos(f.CodeExpiresAt),
		f.CodeAttempts, nanos(f.CodeSentAt), f.GuestID, nanos(f.ExpiresAt), jsonList(f.AMR), f.IDP, f.AppID, f.StepUp,
		f.UpstreamID, bytesOrNull(f.UpstreamState), f.UpstreamNonce, bytesOrNull(f.UpstreamVerifier), f.IDHash)
	return affected("update flow", tag, err)
}

func (q queries) DeleteFlow(ctx context.Context, idHash []byte) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM flows WHERE id_hash = $1`, idHash)
	return affected("delete flow", tag, err)
}

// CountCodeAttempt is one statement: an UPDATE whose WHERE holds the whole
// condition (a racing caller waits for the row lock and re-checks the WHERE
// on the updated row, so callers can never exceed maxAttempts between
// them), joined to the guest of the flow's address.
func (q queries) CountCodeAttempt(ctx context.Context, idHash []byte, maxAttempts int) (*guestpass.Flow, *guestpass.Guest, error) {
	var f guestpass.Flow
	var g storeutil.LeftGuest
	err := q.db.QueryRow(ctx, `WITH f AS (UPDATE flows SET code_attempts = code_attempts + 1
			WHERE id_hash = $1 AND code_mac IS NOT NULL AND code_attempts < $2
			RETURNING `+flowCols+`)
		SELECT f.*, `+storeutil.LeftGuestCols+` FROM f LEFT JOIN guests g ON g.tenant_id = f.tenant_id AND g.mail = f.mail`,
		idHash, maxAttempts).Scan(append(flowDest(&f), g.Dest()...)...)
	if err != nil {
		return nil, nil, dbErr("count code attempt", err)
	}
	return &f, g.Guest(), nil
}

// SpendCode is late: the UPDATE goes with the transaction's next round
// trip, COMMIT at the latest, and expect_rows (migration 0080) fails the
// transaction there if it did not change the one row.
func (q queries) SpendCode(ctx context.Context, idHash, mac []byte, state guestpass.FlowState, guestID string) error {
	return q.execLate(ctx, "spend code", `WITH spent AS (
			UPDATE flows SET code_mac = NULL, state = $1, guest_id = $2
			WHERE id_hash = $3 AND code_mac = $4
			RETURNING 1)
		SELECT expect_rows('spend code', count(*), 1) FROM spent`, state, guestID, idHash, mac)
}

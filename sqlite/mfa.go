package sqlite

import (
	"context"
	"time"

	"github.com/guestpass/guestpass"
)

const mfaCols = `id, tenant_id, guest_id, kind, secret, last_step, created_at, confirmed_at`

func (q queries) CreateMFAMethod(ctx context.Context, m *guestpass.MFAMethod) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO mfa_methods (`+mfaCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.TenantID, m.GuestID, m.Kind, m.Secret, m.LastStep, nanos(m.CreatedAt), nanos(m.ConfirmedAt))
	return dbErr("create mfa method", err)
}

func (q queries) ListMFAMethods(ctx context.Context, tenantID, guestID string) ([]*guestpass.MFAMethod, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT `+mfaCols+` FROM mfa_methods
		WHERE tenant_id = ? AND guest_id = ? ORDER BY created_at, id`, tenantID, guestID)
	if err != nil {
		return nil, dbErr("list mfa methods", err)
	}
	defer rows.Close()
	var ms []*guestpass.MFAMethod
	for rows.Next() {
		var m guestpass.MFAMethod
		if err := rows.Scan(&m.ID, &m.TenantID, &m.GuestID, &m.Kind, &m.Secret, &m.LastStep,
			ts(&m.CreatedAt), ts(&m.ConfirmedAt)); err != nil {
			return nil, dbErr("list mfa methods", err)
		}
		ms = append(ms, &m)
	}
	return ms, dbErr("list mfa methods", rows.Err())
}

func (q queries) ConfirmMFAMethod(ctx context.Context, tenantID, id string, at time.Time) error {
	res, err := q.wr.ExecContext(ctx, `UPDATE mfa_methods SET confirmed_at = ?
		WHERE tenant_id = ? AND id = ?`, nanos(at), tenantID, id)
	return affected("confirm mfa method", res, err)
}

// UseTOTPStep is one UPDATE whose WHERE holds the replay condition.
func (q queries) UseTOTPStep(ctx context.Context, tenantID, id string, step int64) (bool, error) {
	res, err := q.wr.ExecContext(ctx, `UPDATE mfa_methods SET last_step = ?
		WHERE tenant_id = ? AND id = ? AND last_step < ?`, step, tenantID, id, step)
	if err != nil {
		return false, dbErr("use totp step", err)
	}
	n, err := res.RowsAffected()
	return n == 1, dbErr("use totp step", err)
}

func (q queries) DeleteMFAMethods(ctx context.Context, tenantID, guestID string) (int, error) {
	if _, err := q.wr.ExecContext(ctx, `DELETE FROM recovery_codes WHERE tenant_id = ? AND guest_id = ?`, tenantID, guestID); err != nil {
		return 0, dbErr("delete recovery codes", err)
	}
	res, err := q.wr.ExecContext(ctx, `DELETE FROM mfa_methods WHERE tenant_id = ? AND guest_id = ?`, tenantID, guestID)
	if err != nil {
		return 0, dbErr("delete mfa methods", err)
	}
	n, err := res.RowsAffected()
	return int(n), dbErr("delete mfa methods", err)
}

// ReplaceRecoveryCodes is several statements: call it inside Update.
func (q queries) ReplaceRecoveryCodes(ctx context.Context, tenantID, guestID string, hashes [][]byte) error {
	if _, err := q.wr.ExecContext(ctx, `DELETE FROM recovery_codes WHERE tenant_id = ? AND guest_id = ?`, tenantID, guestID); err != nil {
		return dbErr("replace recovery codes", err)
	}
	for _, h := range hashes {
		if _, err := q.wr.ExecContext(ctx, `INSERT INTO recovery_codes (tenant_id, guest_id, code_hash) VALUES (?, ?, ?)`,
			tenantID, guestID, h); err != nil {
			return dbErr("replace recovery codes", err)
		}
	}
	return nil
}

// UseRecoveryCode: the DELETE decides who wins; the count after it is only
// informational.
func (q queries) UseRecoveryCode(ctx context.Context, tenantID, guestID string, hash []byte) (bool, int, error) {
	res, err := q.wr.ExecContext(ctx, `DELETE FROM recovery_codes WHERE tenant_id = ? AND guest_id = ? AND code_hash = ?`,
		tenantID, guestID, hash)
	if err != nil {
		return false, 0, dbErr("use recovery code", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, 0, dbErr("use recovery code", err)
	}
	var left int
	err = q.wr.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE tenant_id = ? AND guest_id = ?`,
		tenantID, guestID).Scan(&left)
	return n == 1, left, dbErr("count recovery codes", err)
}

func (q queries) DeleteMFAMethod(ctx context.Context, tenantID, guestID, id string) error {
	res, err := q.wr.ExecContext(ctx, `DELETE FROM mfa_methods WHERE tenant_id = ? AND guest_id = ? AND id = ?`, tenantID, guestID, id)
	return affected("delete mfa method", res, err)
}

func (q queries) CountRecoveryCodes(ctx context.Context, tenantID, guestID string) (int, error) {
	var n int
	err := q.rd.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE tenant_id = ? AND guest_id = ?`,
		tenantID, guestID).Scan(&n)
	return n, dbErr("count recovery codes", err)
}

package postgres

import (
	"context"
	"time"

	"github.com/guestpass/guestpass"
)

const mfaCols = `id, tenant_id, guest_id, kind, secret, last_step, created_at, confirmed_at`

func (q queries) CreateMFAMethod(ctx context.Context, m *guestpass.MFAMethod) error {
	_, err := q.db.Exec(ctx, `INSERT INTO mfa_methods (`+mfaCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		m.ID, m.TenantID, m.GuestID, m.Kind, m.Secret, m.LastStep, nanos(m.CreatedAt), nanos(m.ConfirmedAt))
	return dbErr("create mfa method", err)
}

func (q queries) ListMFAMethods(ctx context.Context, tenantID, guestID string) ([]*guestpass.MFAMethod, error) {
	rows, err := q.db.Query(ctx, `SELECT `+mfaCols+` FROM mfa_methods
		WHERE tenant_id = $1 AND guest_id = $2 ORDER BY created_at, id`, tenantID, guestID)
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
	tag, err := q.db.Exec(ctx, `UPDATE mfa_methods SET confirmed_at = $1
		WHERE tenant_id = $2 AND id = $3`, nanos(at), tenantID, id)
	return affected("confirm mfa method", tag, err)
}

// UseTOTPStep is one UPDATE whose WHERE holds the replay condition; the row
// lock serializes racing callers.
func (q queries) UseTOTPStep(ctx context.Context, tenantID, id string, step int64) (bool, error) {
	tag, err := q.db.Exec(ctx, `UPDATE mfa_methods SET last_step = $1
		WHERE tenant_id = $2 AND id = $3 AND last_step < $1`, step, tenantID, id)
	if err != nil {
		return false, dbErr("use totp step", err)
	}
	return tag.RowsAffected() == 1, nil
}

func (q queries) DeleteMFAMethods(ctx context.Context, tenantID, guestID string) (int, error) {
	if _, err := q.db.Exec(ctx, `DELETE FROM recovery_codes WHERE tenant_id = $1 AND guest_id = $2`, tenantID, guestID); err != nil {
		return 0, dbErr("delete recovery codes", err)
	}
	tag, err := q.db.Exec(ctx, `DELETE FROM mfa_methods WHERE tenant_id = $1 AND guest_id = $2`, tenantID, guestID)
	if err != nil {
		return 0, dbErr("delete mfa methods", err)
	}
	return int(tag.RowsAffected()), nil
}

// ReplaceRecoveryCodes is several statements: call it inside Update.
func (q queries) ReplaceRecoveryCodes(ctx context.Context, tenantID, guestID string, hashes [][]byte) error {
	if _, err := q.db.Exec(ctx, `DELETE FROM recovery_codes WHERE tenant_id = $1 AND guest_id = $2`, tenantID, guestID); err != nil {
		return dbErr("replace recovery codes", err)
	}
	for _, h := range hashes {
		if _, err := q.db.Exec(ctx, `INSERT INTO recovery_codes (tenant_id, guest_id, code_hash) VALUES ($1, $2, $3)`,
			tenantID, guestID, h); err != nil {
			return dbErr("replace recovery codes", err)
		}
	}
	return nil
}

// UseRecoveryCode: the DELETE decides who wins; the count after it is only
// informational.
func (q queries) UseRecoveryCode(ctx context.Context, tenantID, guestID string, hash []byte) (bool, int, error) {
	tag, err := q.db.Exec(ctx, `DELETE FROM recovery_codes WHERE tenant_id = $1 AND guest_id = $2 AND code_hash = $3`,
		tenantID, guestID, hash)
	if err != nil {
		return false, 0, dbErr("use recovery code", err)
	}
	var left int
	err = q.db.QueryRow(ctx, `SELECT count(*) FROM recovery_codes WHERE tenant_id = $1 AND guest_id = $2`,
		tenantID, guestID).Scan(&left)
	return tag.RowsAffected() == 1, left, dbErr("count recovery codes", err)
}

func (q queries) DeleteMFAMethod(ctx context.Context, tenantID, guestID, id string) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM mfa_methods WHERE tenant_id = $1 AND guest_id = $2 AND id = $3`, tenantID, guestID, id)
	return affected("delete mfa method", tag, err)
}

func (q queries) CountRecoveryCodes(ctx context.Context, tenantID, guestID string) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT count(*) FROM recovery_codes WHERE tenant_id = $1 AND guest_id = $2`,
		tenantID, guestID).Scan(&n)
	return n, dbErr("count recovery codes", err)
}

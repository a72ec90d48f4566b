package sqlite

import (
	"context"

	"github.com/guestpass/guestpass"
)

const challengeCols = `binding, kind, tenant_id, guest_id, method_id, state, code_mac, attempts, created_at, expires_at`

func scanChallenge(sc scanner) (*guestpass.MFAChallenge, error) {
	var c guestpass.MFAChallenge
	if err := sc.Scan(&c.Binding, &c.Kind, &c.TenantID, &c.GuestID, &c.MethodID, &c.State, &c.CodeMAC,
		&c.Attempts, ts(&c.CreatedAt), ts(&c.ExpiresAt)); err != nil {
		return nil, err
	}
	return &c, nil
}

func (q queries) PutMFAChallenge(ctx context.Context, c *guestpass.MFAChallenge) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO mfa_challenges (`+challengeCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (binding, kind) DO UPDATE SET tenant_id = excluded.tenant_id, guest_id = excluded.guest_id,
			method_id = excluded.method_id, state = excluded.state, code_mac = excluded.code_mac,
			attempts = excluded.attempts, created_at = excluded.created_at, expires_at = excluded.expires_at`,
		c.Binding, c.Kind, c.TenantID, c.GuestID, c.MethodID, c.State, blobOrNull(c.CodeMAC), c.Attempts,
		nanos(c.CreatedAt), nanos(c.ExpiresAt))
	return dbErr("put mfa challenge", err)
}

func (q queries) GetMFAChallenge(ctx context.Context, binding string, kind guestpass.ChallengeKind) (*guestpass.MFAChallenge, error) {
	c, err := scanChallenge(q.rd.QueryRowContext(ctx, `SELECT `+challengeCols+` FROM mfa_challenges
		WHERE binding = ? AND kind = ?`, binding, kind))
	return c, dbErr("get mfa challenge", err)
}

// TakeMFAChallenge is one DELETE ... RETURNING: the row goes to one caller.
func (q queries) TakeMFAChallenge(ctx context.Context, binding string, kind guestpass.ChallengeKind) (*guestpass.MFAChallenge, error) {
	c, err := scanChallenge(q.wr.QueryRowContext(ctx, `DELETE FROM mfa_challenges
		WHERE binding = ? AND kind = ? RETURNING `+challengeCols, binding, kind))
	return c, dbErr("take mfa challenge", err)
}

// CountMFAChallengeAttempt is one UPDATE whose WHERE holds the limit.
func (q queries) CountMFAChallengeAttempt(ctx context.Context, binding string, kind guestpass.ChallengeKind, maxAttempts int) (*guestpass.MFAChallenge, error) {
	c, err := scanChallenge(q.wr.QueryRowContext(ctx, `UPDATE mfa_challenges SET attempts = attempts + 1
		WHERE binding = ? AND kind = ? AND attempts < ? RETURNING `+challengeCols, binding, kind, maxAttempts))
	return c, dbErr("count mfa challenge attempt", err)
}

// ConsumeMFAChallenge is one DELETE matching the MAC.
func (q queries) ConsumeMFAChallenge(ctx context.Context, binding string, kind guestpass.ChallengeKind, mac []byte) (bool, error) {
	if len(mac) == 0 {
		return false, nil
	}
	res, err := q.wr.ExecContext(ctx, `DELETE FROM mfa_challenges WHERE binding = ? AND kind = ? AND code_mac = ?`, binding, kind, mac)
	if err != nil {
		return false, dbErr("consume mfa challenge", err)
	}
	n, err := res.RowsAffected()
	return n == 1, dbErr("consume mfa challenge", err)
}

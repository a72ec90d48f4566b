package postgres

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
	_, err := q.db.Exec(ctx, `INSERT INTO mfa_challenges (`+challengeCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (binding, kind) DO UPDATE SET tenant_id = excluded.tenant_id, guest_id = excluded.guest_id,
			method_id = excluded.method_id, state = excluded.state, code_mac = excluded.code_mac,
			attempts = excluded.attempts, created_at = excluded.created_at, expires_at = excluded.expires_at`,
		c.Binding, string(c.Kind), c.TenantID, c.GuestID, c.MethodID, c.State, bytesOrNull(c.CodeMAC), c.Attempts,
		nanos(c.CreatedAt), nanos(c.ExpiresAt))
	return dbErr("put mfa challenge", err)
}

func (q queries) GetMFAChallenge(ctx context.Context, binding string, kind guestpass.ChallengeKind) (*guestpass.MFAChallenge, error) {
	c, err := scanChallenge(q.db.QueryRow(ctx, `SELECT `+challengeCols+` FROM mfa_challenges
		WHERE binding = $1 AND kind = $2`, binding, string(kind)))
	return c, dbErr("get mfa challenge", err)
}

// TakeMFAChallenge is one DELETE ... RETURNING: the row lock hands the row
// to one caller; the other re-checks and finds nothing.
func (q queries) TakeMFAChallenge(ctx context.Context, binding string, kind guestpass.ChallengeKind) (*guestpass.MFAChallenge, error) {
	c, err := scanChallenge(q.db.QueryRow(ctx, `DELETE FROM mfa_challenges
		WHERE binding = $1 AND kind = $2 RETURNING `+challengeCols, binding, string(kind)))
	return c, dbErr("take mfa challenge", err)
}

// CountMFAChallengeAttempt is one UPDATE whose WHERE holds the limit; a
// racing caller re-checks it on the updated row.
func (q queries) CountMFAChallengeAttempt(ctx context.Context, binding string, kind guestpass.ChallengeKind, maxAttempts int) (*guestpass.MFAChallenge, error) {
	c, err := scanChallenge(q.db.QueryRow(ctx, `UPDATE mfa_challenges SET attempts = attempts + 1
		WHERE binding = $1 AND kind = $2 AND attempts < $3 RETURNING `+challengeCols, binding, string(kind), maxAttempts))
	return c, dbErr("count mfa challenge attempt", err)
}

// ConsumeMFAChallenge is one DELETE matching the MAC.
func (q queries) ConsumeMFAChallenge(ctx context.Context, binding string, kind guestpass.ChallengeKind, mac []byte) (bool, error) {
	if len(mac) == 0 {
		return false, nil
	}
	tag, err := q.db.Exec(ctx, `DELETE FROM mfa_challenges WHERE binding = $1 AND kind = $2 AND code_mac = $3`, binding, string(kind), mac)
	if err != nil {
		return false, dbErr("consume mfa challenge", err)
	}
	return tag.RowsAffected() == 1, nil
}

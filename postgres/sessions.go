package postgres

import (
	"context"
	"time"

	"github.com/guestpass/guestpass"
)

const sessionCols = `token_hash, id, tenant_id, guest_id, auth_time, amr, created_at, expires_at, revoked_at, idp, proxy_token_hash, revoked_grants`

func (q queries) CreateSession(ctx context.Context, s *guestpass.Session) error {
	_, err := q.db.Exec(ctx, `INSERT INTO sessions (`+sessionCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		s.TokenHash, s.ID, s.TenantID, s.GuestID, nanos(s.AuthTime), jsonList(s.AMR),
		nanos(s.CreatedAt), nanos(s.ExpiresAt), nanos(s.RevokedAt), s.IDP, bytesOrNull(s.ProxyTokenHash),
		grantList(s.RevokedGrants))
	return dbErr("create session", err)
}

func (q queries) GetSession(ctx context.Context, tokenHash []byte) (*guestpass.Session, error) {
	var s guestpass.Session
	err := q.db.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE token_hash = $1`, tokenHash).
		Scan(sessionDest(&s)...)
	if err != nil {
		return nil, dbErr("get session", err)
	}
	return &s, nil
}

// sessionDest lists the scan targets of sessionCols.
func sessionDest(s *guestpass.Session) []any {
	return []any{&s.TokenHash, &s.ID, &s.TenantID, &s.GuestID, ts(&s.AuthTime), list(&s.AMR),
		ts(&s.CreatedAt), ts(&s.ExpiresAt), ts(&s.RevokedAt), &s.IDP, &s.ProxyTokenHash, list(&s.RevokedGrants)}
}

// GetSessionByProxyToken finds a session by the hash of its forward-auth
// token.
func (q queries) GetSessionByProxyToken(ctx context.Context, proxyTokenHash []byte) (*guestpass.Session, error) {
	var s guestpass.Session
	err := q.db.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE proxy_token_hash = $1`, proxyTokenHash).
		Scan(sessionDest(&s)...)
	if err != nil {
		return nil, dbErr("get session", err)
	}
	return &s, nil
}

// RevokeSession keeps the first revocation time when called twice.
func (q queries) RevokeSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	tag, err := q.db.Exec(ctx, `UPDATE sessions
		SET revoked_at = CASE revoked_at WHEN 0 THEN $1::bigint ELSE revoked_at END
		WHERE token_hash = $2`, nanos(at), tokenHash)
	return affected("revoke session", tag, err)
}

// RevokeGuestSessions counts as live what Session.Live(at) would.
func (q queries) RevokeGuestSessions(ctx context.Context, tenantID, guestID string, at time.Time) (int, error) {
	tag, err := q.db.Exec(ctx, `UPDATE sessions SET revoked_at = $1
		WHERE tenant_id = $2 AND guest_id = $3 AND revoked_at = 0 AND expires_at > $1`,
		nanos(at), tenantID, guestID)
	if err != nil {
		return 0, dbErr("revoke guest sessions", err)
	}
	return int(tag.RowsAffected()), nil
}

// grantList stores a session's revoked grants as a JSON array even when
// there are none ("[]", not jsonList's "null"), so that RevokeSessionGrant
// can append to it in SQL.
func grantList(v []string) string { return jsonList(append([]string{}, v...)) }

// RevokeSessionGrant appends in one statement, so two concurrent
// revocations of one session both stay.
func (q queries) RevokeSessionGrant(ctx context.Context, tenantID, sessionID, grantID string) error {
	tag, err := q.db.Exec(ctx, `UPDATE sessions SET revoked_grants = CASE
			WHEN revoked_grants::jsonb @> jsonb_build_array($3::text) THEN revoked_grants
			ELSE (revoked_grants::jsonb || jsonb_build_array($3::text))::text END
		WHERE tenant_id = $1 AND id = $2`, tenantID, sessionID, grantID)
	return affected("revoke session grant", tag, err)
}

package sqlite

import (
	"context"
	"time"

	"github.com/guestpass/guestpass"
)

const sessionCols = `token_hash, id, tenant_id, guest_id, auth_time, amr, created_at, expires_at, revoked_at, idp, proxy_token_hash, revoked_grants`

func (q queries) CreateSession(ctx context.Context, s *guestpass.Session) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO sessions (`+sessionCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.TokenHash, s.ID, s.TenantID, s.GuestID, nanos(s.AuthTime), jsonList(s.AMR),
		nanos(s.CreatedAt), nanos(s.ExpiresAt), nanos(s.RevokedAt), s.IDP, blobOrNull(s.ProxyTokenHash),
		grantList(s.RevokedGrants))
	return dbErr("create session", err)
}

func (q queries) GetSession(ctx context.Context, tokenHash []byte) (*guestpass.Session, error) {
	var s guestpass.Session
	err := q.rd.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE token_hash = ?`, tokenHash).
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
	err := q.rd.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE proxy_token_hash = ?`, proxyTokenHash).
		Scan(sessionDest(&s)...)
	if err != nil {
		return nil, dbErr("get session", err)
	}
	return &s, nil
}

// RevokeSession keeps the first revocation time when called twice.
func (q queries) RevokeSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	res, err := q.wr.ExecContext(ctx, `UPDATE sessions
		SET revoked_at = CASE revoked_at WHEN 0 THEN ? ELSE revoked_at END
		WHERE token_hash = ?`, nanos(at), tokenHash)
	return affected("revoke session", res, err)
}

// RevokeGuestSessions counts as live what Session.Live(at) would.
func (q queries) RevokeGuestSessions(ctx context.Context, tenantID, guestID string, at time.Time) (int, error) {
	res, err := q.wr.ExecContext(ctx, `UPDATE sessions SET revoked_at = ?
		WHERE tenant_id = ? AND guest_id = ? AND revoked_at = 0 AND expires_at > ?`,
		nanos(at), tenantID, guestID, nanos(at))
	if err != nil {
		return 0, dbErr("revoke guest sessions", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, dbErr("revoke guest sessions", err)
	}
	return int(n), nil
}

// grantList stores a session's revoked grants as a JSON array even when
// there are none ("[]", not jsonList's "null"), so that RevokeSessionGrant
// can append to it in SQL.
func grantList(v []string) string { return jsonList(append([]string{}, v...)) }

// RevokeSessionGrant appends in one statement, so two concurrent
// revocations of one session both stay.
func (q queries) RevokeSessionGrant(ctx context.Context, tenantID, sessionID, grantID string) error {
	res, err := q.wr.ExecContext(ctx, `UPDATE sessions SET revoked_grants = CASE
			WHEN EXISTS (SELECT 1 FROM json_each(sessions.revoked_grants) WHERE value = ?3) THEN revoked_grants
			ELSE json_insert(revoked_grants, '$[#]', ?3) END
		WHERE tenant_id = ?1 AND id = ?2`, tenantID, sessionID, grantID)
	return affected("revoke session grant", res, err)
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/guestpass/guestpass"
)

const signingKeyCols = `id, alg, generation, sealed, active_from, retired_at, created_at`

func (q queries) CreateSigningKey(ctx context.Context, k *guestpass.SigningKey) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO oidc_signing_keys (`+signingKeyCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Alg, k.Generation, k.Sealed, nanos(k.ActiveFrom), nanos(k.RetiredAt), nanos(k.CreatedAt))
	return dbErr("create signing key", err)
}

func (q queries) ListSigningKeys(ctx context.Context) ([]*guestpass.SigningKey, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT `+signingKeyCols+` FROM oidc_signing_keys ORDER BY generation, alg`)
	if err != nil {
		return nil, dbErr("list signing keys", err)
	}
	defer rows.Close()
	var out []*guestpass.SigningKey
	for rows.Next() {
		var k guestpass.SigningKey
		if err := rows.Scan(&k.ID, &k.Alg, &k.Generation, &k.Sealed, ts(&k.ActiveFrom), ts(&k.RetiredAt), ts(&k.CreatedAt)); err != nil {
			return nil, dbErr("list signing keys", err)
		}
		out = append(out, &k)
	}
	return out, dbErr("list signing keys", rows.Err())
}

func (q queries) RetireSigningKey(ctx context.Context, id string, at time.Time) error {
	res, err := q.wr.ExecContext(ctx, `UPDATE oidc_signing_keys
		SET retired_at = CASE retired_at WHEN 0 THEN ? ELSE retired_at END WHERE id = ?`, nanos(at), id)
	return affected("retire signing key", res, err)
}

func (q queries) DeleteSigningKey(ctx context.Context, id string) error {
	res, err := q.wr.ExecContext(ctx, `DELETE FROM oidc_signing_keys WHERE id = ?`, id)
	return affected("delete signing key", res, err)
}

const authRequestCols = `id, tenant_id, client_id, redirect_uri, scopes, state, nonce, response_type, response_mode,
	code_challenge, code_challenge_method, prompt, max_age, login_hint, session_id, guest_id, auth_time, amr, idp,
	done, code_hash, created_at, expires_at, code_used_at`

func scanAuthRequest(sc scanner) (*guestpass.OIDCAuthRequest, error) {
	var r guestpass.OIDCAuthRequest
	err := sc.Scan(&r.ID, &r.TenantID, &r.ClientID, &r.RedirectURI, list(&r.Scopes), &r.State, &r.Nonce,
		&r.ResponseType, &r.ResponseMode, &r.CodeChallenge, &r.CodeChallengeMethod, list(&r.Prompt), &r.MaxAge,
		&r.LoginHint, &r.SessionID, &r.GuestID, ts(&r.AuthTime), list(&r.AMR), &r.IDP, &r.Done, &r.CodeHash,
		ts(&r.CreatedAt), ts(&r.ExpiresAt), ts(&r.CodeUsedAt))
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (q queries) CreateOIDCAuthRequest(ctx context.Context, r *guestpass.OIDCAuthRequest) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO oidc_auth_requests (`+authRequestCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.TenantID, r.ClientID, r.RedirectURI, jsonList(r.Scopes), r.State, r.Nonce, r.ResponseType,
		r.ResponseMode, r.CodeChallenge, r.CodeChallengeMethod, jsonList(r.Prompt), r.MaxAge, r.LoginHint,
		r.SessionID, r.GuestID, nanos(r.AuthTime), jsonList(r.AMR), r.IDP, r.Done, blobOrNull(r.CodeHash),
		nanos(r.CreatedAt), nanos(r.ExpiresAt), nanos(r.CodeUsedAt))
	return dbErr("create auth request", err)
}

func (q queries) GetOIDCAuthRequest(ctx context.Context, id string) (*guestpass.OIDCAuthRequest, error) {
	r, err := scanAuthRequest(q.rd.QueryRowContext(ctx, `SELECT `+authRequestCols+` FROM oidc_auth_requests WHERE id = ?`, id))
	if err != nil {
		return nil, dbErr("get auth request", err)
	}
	return r, nil
}

func (q queries) UpdateOIDCAuthRequest(ctx context.Context, r *guestpass.OIDCAuthRequest) error {
	res, err := q.wr.ExecContext(ctx, `UPDATE oidc_auth_requests SET session_id = ?, guest_id = ?, auth_time = ?,
		amr = ?, idp = ?, done = ?, code_hash = ?, expires_at = ? WHERE id = ?`,
		r.SessionID, r.GuestID, nanos(r.AuthTime), jsonList(r.AMR), r.IDP, r.Done, blobOrNull(r.CodeHash),
		nanos(r.ExpiresAt), r.ID)
	return affected("update auth request", res, err)
}

func (q queries) DeleteOIDCAuthRequest(ctx context.Context, id string) error {
	res, err := q.wr.ExecContext(ctx, `DELETE FROM oidc_auth_requests WHERE id = ? AND code_used_at = 0`, id)
	return affected("delete auth request", res, err)
}

// ConsumeOIDCCode: writes are serialized on the one write connection, so
// of two exchanges of one code only the first UPDATE matches.
func (q queries) ConsumeOIDCCode(ctx context.Context, codeHash []byte, at time.Time) (*guestpass.OIDCAuthRequest, error) {
	r, err := scanAuthRequest(q.wr.QueryRowContext(ctx, `UPDATE oidc_auth_requests SET code_used_at = ?
		WHERE code_hash = ? AND code_used_at = 0 RETURNING `+authRequestCols, nanos(at), codeHash))
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, dbErr("consume code", err)
	}
	r, err = scanAuthRequest(q.wr.QueryRowContext(ctx, `SELECT `+authRequestCols+` FROM oidc_auth_requests WHERE code_hash = ?`, codeHash))
	if err != nil {
		return nil, dbErr("consume code", err)
	}
	return r, guestpass.ErrConflict
}

func (q queries) DeleteOIDCGrantRefreshTokens(ctx context.Context, tenantID, grantID string) (int, error) {
	res, err := q.wr.ExecContext(ctx, `DELETE FROM oidc_refresh_tokens WHERE tenant_id = ? AND grant_id = ?`, tenantID, grantID)
	if err != nil {
		return 0, dbErr("delete grant refresh tokens", err)
	}
	n, err := res.RowsAffected()
	return int(n), dbErr("delete grant refresh tokens", err)
}

const refreshCols = `token_hash, tenant_id, client_id, session_id, guest_id, scopes, amr, auth_time, created_at, expires_at,
	grant_id`

func (q queries) CreateOIDCRefreshToken(ctx context.Context, t *guestpass.OIDCRefreshToken) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO oidc_refresh_tokens (`+refreshCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.TokenHash, t.TenantID, t.ClientID, t.SessionID, t.GuestID, jsonList(t.Scopes), jsonList(t.AMR),
		nanos(t.AuthTime), nanos(t.CreatedAt), nanos(t.ExpiresAt), t.GrantID)
	return dbErr("create refresh token", err)
}

func (q queries) GetOIDCRefreshToken(ctx context.Context, tokenHash []byte) (*guestpass.OIDCRefreshToken, error) {
	var t guestpass.OIDCRefreshToken
	err := q.rd.QueryRowContext(ctx, `SELECT `+refreshCols+` FROM oidc_refresh_tokens WHERE token_hash = ?`, tokenHash).
		Scan(&t.TokenHash, &t.TenantID, &t.ClientID, &t.SessionID, &t.GuestID, list(&t.Scopes), list(&t.AMR),
			ts(&t.AuthTime), ts(&t.CreatedAt), ts(&t.ExpiresAt), &t.GrantID)
	if err != nil {
		return nil, dbErr("get refresh token", err)
	}
	return &t, nil
}

func (q queries) DeleteOIDCRefreshToken(ctx context.Context, tokenHash []byte) error {
	res, err := q.wr.ExecContext(ctx, `DELETE FROM oidc_refresh_tokens WHERE token_hash = ?`, tokenHash)
	return affected("delete refresh token", res, err)
}

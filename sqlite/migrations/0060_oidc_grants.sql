-- A replayed authorization code revokes the tokens issued from it (RFC 6749
-- §4.1.2). A used code's request stays, marked, until it expires, so a
-- second use is recognized; its ID names the grant. Refresh tokens carry
-- the grant they descend from; a session lists its revoked grants, so
-- access tokens (not stored) of such a grant are refused though the
-- session lives on.
ALTER TABLE oidc_auth_requests ADD COLUMN code_used_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE oidc_refresh_tokens ADD COLUMN grant_id TEXT NOT NULL DEFAULT '';
CREATE INDEX oidc_refresh_tokens_grant ON oidc_refresh_tokens (tenant_id, grant_id);
ALTER TABLE sessions ADD COLUMN revoked_grants TEXT NOT NULL DEFAULT '[]';

-- OpenID provider state (issue 5). Private signing keys are sealed by the
-- service; codes and refresh tokens are stored only as SHA-256.
CREATE TABLE oidc_signing_keys (
    id          TEXT PRIMARY KEY,
    alg         TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    sealed      BLOB NOT NULL,
    active_from INTEGER NOT NULL,
    retired_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (alg, generation)
) STRICT;

CREATE TABLE oidc_auth_requests (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id             TEXT NOT NULL,
    redirect_uri          TEXT NOT NULL,
    scopes                TEXT NOT NULL,
    state                 TEXT NOT NULL,
    nonce                 TEXT NOT NULL,
    response_type         TEXT NOT NULL,
    response_mode         TEXT NOT NULL,
    code_challenge        TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL,
    prompt                TEXT NOT NULL,
    max_age               INTEGER NOT NULL,
    login_hint            TEXT NOT NULL,
    session_id            TEXT NOT NULL,
    guest_id              TEXT NOT NULL,
    auth_time             INTEGER NOT NULL,
    amr                   TEXT NOT NULL,
    idp                   TEXT NOT NULL,
    done                  INTEGER NOT NULL,
    code_hash             BLOB UNIQUE,
    created_at            INTEGER NOT NULL,
    expires_at            INTEGER NOT NULL
) STRICT;
CREATE INDEX oidc_auth_requests_expiry ON oidc_auth_requests (expires_at);

CREATE TABLE oidc_refresh_tokens (
    token_hash BLOB PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    session_id TEXT NOT NULL,
    guest_id   TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    amr        TEXT NOT NULL,
    auth_time  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX oidc_refresh_tokens_expiry ON oidc_refresh_tokens (expires_at);

-- OpenID provider state (issue 5). Private signing keys are sealed by the
-- service; codes and refresh tokens are stored only as SHA-256.
CREATE TABLE oidc_signing_keys (
    id          text COLLATE "C" PRIMARY KEY,
    alg         text NOT NULL,
    generation  bigint NOT NULL,
    sealed      bytea NOT NULL,
    active_from bigint NOT NULL,
    retired_at  bigint NOT NULL,
    created_at  bigint NOT NULL,
    UNIQUE (alg, generation)
);

CREATE TABLE oidc_auth_requests (
    id                    text COLLATE "C" PRIMARY KEY,
    tenant_id             text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id             text NOT NULL,
    redirect_uri          text NOT NULL,
    scopes                text NOT NULL,
    state                 text NOT NULL,
    nonce                 text NOT NULL,
    response_type         text NOT NULL,
    response_mode         text NOT NULL,
    code_challenge        text NOT NULL,
    code_challenge_method text NOT NULL,
    prompt                text NOT NULL,
    max_age               bigint NOT NULL,
    login_hint            text NOT NULL,
    session_id            text NOT NULL,
    guest_id              text NOT NULL,
    auth_time             bigint NOT NULL,
    amr                   text NOT NULL,
    idp                   text NOT NULL,
    done                  boolean NOT NULL,
    code_hash             bytea UNIQUE,
    created_at            bigint NOT NULL,
    expires_at            bigint NOT NULL
);
CREATE INDEX oidc_auth_requests_expiry ON oidc_auth_requests (expires_at);

CREATE TABLE oidc_refresh_tokens (
    token_hash bytea PRIMARY KEY,
    tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id  text NOT NULL,
    session_id text NOT NULL,
    guest_id   text NOT NULL,
    scopes     text NOT NULL,
    amr        text NOT NULL,
    auth_time  bigint NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX oidc_refresh_tokens_expiry ON oidc_refresh_tokens (expires_at);

-- Times are INTEGER unix nanoseconds (UTC), 0 for the zero time. Lists are
-- JSON text. Secrets appear only as SHA-256 or HMAC BLOBs.

CREATE TABLE tenants (
    id                       TEXT PRIMARY KEY,
    display_name             TEXT NOT NULL,
    verified_domains         TEXT NOT NULL,
    email_otp                TEXT NOT NULL,
    code_lifetime            INTEGER NOT NULL,
    session_lifetime         INTEGER NOT NULL,
    invitation_lifetime      INTEGER NOT NULL,
    invitation_quota_per_day INTEGER NOT NULL,
    require_mfa_for_guests   INTEGER NOT NULL,
    allowed_domains          TEXT NOT NULL,
    blocked_domains          TEXT NOT NULL,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL
) STRICT;
CREATE INDEX tenants_page ON tenants (created_at, id);

CREATE TABLE guests (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    mail            TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    state           TEXT NOT NULL,
    invited_by      TEXT NOT NULL,
    invited_at      INTEGER NOT NULL,
    redeemed_at     INTEGER NOT NULL,
    last_sign_in_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- Target of the composite foreign keys below, which keep an
    -- invitation or session in its guest's tenant.
    UNIQUE (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX guests_mail ON guests (tenant_id, mail);
CREATE INDEX guests_page ON guests (tenant_id, created_at, id);

CREATE TABLE invitations (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    guest_id       TEXT NOT NULL,
    invited_by     TEXT NOT NULL,
    redirect_url   TEXT NOT NULL,
    message        TEXT NOT NULL,
    ticket_hash    BLOB NOT NULL,
    status         TEXT NOT NULL,
    send_count     INTEGER NOT NULL,
    last_mail_id   TEXT NOT NULL,
    delivery_state TEXT NOT NULL,
    delivery_error TEXT NOT NULL,
    expires_at     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    redeemed_at    INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, guest_id) REFERENCES guests (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX invitations_ticket ON invitations (tenant_id, ticket_hash);
CREATE INDEX invitations_guest ON invitations (tenant_id, guest_id, created_at);
CREATE INDEX invitations_page ON invitations (tenant_id, created_at, id);

CREATE TABLE flows (
    id_hash         BLOB PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    mail            TEXT NOT NULL,
    invitation_id   TEXT NOT NULL,
    return_to       TEXT NOT NULL,
    state           TEXT NOT NULL,
    code_mac        BLOB, -- NULL when no code is pending
    code_expires_at INTEGER NOT NULL,
    code_attempts   INTEGER NOT NULL,
    code_sent_at    INTEGER NOT NULL,
    guest_id        TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX flows_expires ON flows (expires_at);

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    tenant_id  TEXT NOT NULL,
    guest_id   TEXT NOT NULL,
    auth_time  INTEGER NOT NULL,
    amr        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, guest_id) REFERENCES guests (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX sessions_guest ON sessions (tenant_id, guest_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- GCRA limiter state: tat is the theoretical arrival time of the next token.
CREATE TABLE limits (
    key TEXT PRIMARY KEY,
    tat INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX limits_tat ON limits (tat);

CREATE TABLE locks (
    key          TEXT PRIMARY KEY,
    locked_until INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX locks_until ON locks (locked_until);

-- No foreign keys: the audit trail outlives the guests it names.
CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    type        TEXT NOT NULL,
    action      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    guest_id    TEXT NOT NULL,
    actor       TEXT NOT NULL,
    ip          TEXT NOT NULL,
    user_agent  TEXT NOT NULL,
    detail      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_tenant_time ON audit_events (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX audit_tenant_type_time ON audit_events (tenant_id, type, occurred_at DESC, id DESC);

-- tenant_id is '' for operator tokens, which act on every tenant.
CREATE TABLE admin_tokens (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    hash       BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;

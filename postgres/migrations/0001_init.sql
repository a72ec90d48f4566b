-- Times are bigint unix nanoseconds (UTC), 0 for the zero time, as in the
-- SQLite store: exact round trips and one codec for both. Lists are JSON
-- text. Secrets appear only as SHA-256 or HMAC bytea. Ids sort by byte
-- (COLLATE "C") so that keyset paging does not depend on the locale.

CREATE TABLE tenants (
    id                       text COLLATE "C" PRIMARY KEY,
    display_name             text NOT NULL,
    verified_domains         text NOT NULL,
    email_otp                text NOT NULL,
    code_lifetime            bigint NOT NULL,
    session_lifetime         bigint NOT NULL,
    invitation_lifetime      bigint NOT NULL,
    invitation_quota_per_day bigint NOT NULL,
    require_mfa_for_guests   boolean NOT NULL,
    allowed_domains          text NOT NULL,
    blocked_domains          text NOT NULL,
    created_at               bigint NOT NULL,
    updated_at               bigint NOT NULL
);
CREATE INDEX tenants_page ON tenants (created_at, id);

CREATE TABLE guests (
    id              text COLLATE "C" PRIMARY KEY,
    tenant_id       text COLLATE "C" NOT NULL REFERENCES tenants (id),
    mail            text NOT NULL,
    display_name    text NOT NULL,
    state           text NOT NULL,
    invited_by      text NOT NULL,
    invited_at      bigint NOT NULL,
    redeemed_at     bigint NOT NULL,
    last_sign_in_at bigint NOT NULL,
    created_at      bigint NOT NULL,
    updated_at      bigint NOT NULL,
    -- Target of the composite foreign keys below, which keep an
    -- invitation or session in its guest's tenant.
    UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX guests_mail ON guests (tenant_id, mail);
CREATE INDEX guests_page ON guests (tenant_id, created_at, id);

CREATE TABLE invitations (
    -- seq breaks ties between invitations created at the same time, as
    -- rowid does in SQLite: the later insert is the latest.
    seq            bigint GENERATED ALWAYS AS IDENTITY,
    id             text COLLATE "C" PRIMARY KEY,
    tenant_id      text COLLATE "C" NOT NULL,
    guest_id       text COLLATE "C" NOT NULL,
    invited_by     text NOT NULL,
    redirect_url   text NOT NULL,
    message        text NOT NULL,
    ticket_hash    bytea NOT NULL,
    status         text NOT NULL,
    send_count     bigint NOT NULL,
    last_mail_id   text NOT NULL,
    delivery_state text NOT NULL,
    delivery_error text NOT NULL,
    expires_at     bigint NOT NULL,
    created_at     bigint NOT NULL,
    updated_at     bigint NOT NULL,
    redeemed_at    bigint NOT NULL,
    FOREIGN KEY (tenant_id, guest_id) REFERENCES guests (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX invitations_ticket ON invitations (tenant_id, ticket_hash);
CREATE INDEX invitations_guest ON invitations (tenant_id, guest_id, created_at);
CREATE INDEX invitations_page ON invitations (tenant_id, created_at, id);

CREATE TABLE flows (
    id_hash         bytea PRIMARY KEY,
    tenant_id       text NOT NULL,
    mail            text NOT NULL,
    invitation_id   text NOT NULL,
    return_to       text NOT NULL,
    state           text NOT NULL,
    code_mac        bytea, -- NULL when no code is pending
    code_expires_at bigint NOT NULL,
    code_attempts   bigint NOT NULL,
    code_sent_at    bigint NOT NULL,
    guest_id        text NOT NULL,
    created_at      bigint NOT NULL,
    expires_at      bigint NOT NULL
);
CREATE INDEX flows_expires ON flows (expires_at);

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    id         text NOT NULL UNIQUE,
    tenant_id  text COLLATE "C" NOT NULL,
    guest_id   text COLLATE "C" NOT NULL,
    auth_time  bigint NOT NULL,
    amr        text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    revoked_at bigint NOT NULL,
    FOREIGN KEY (tenant_id, guest_id) REFERENCES guests (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_guest ON sessions (tenant_id, guest_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- GCRA limiter state: tat is the theoretical arrival time of the next token.
CREATE TABLE limits (
    key text PRIMARY KEY,
    tat bigint NOT NULL
);
CREATE INDEX limits_tat ON limits (tat);

CREATE TABLE locks (
    key          text PRIMARY KEY,
    locked_until bigint NOT NULL
);
CREATE INDEX locks_until ON locks (locked_until);

-- No foreign keys: the audit trail outlives the guests it names.
CREATE TABLE audit_events (
    id          text COLLATE "C" PRIMARY KEY,
    tenant_id   text NOT NULL,
    occurred_at bigint NOT NULL,
    type        text NOT NULL,
    action      text NOT NULL,
    outcome     text NOT NULL,
    reason      text NOT NULL,
    guest_id    text NOT NULL,
    actor       text NOT NULL,
    ip          text NOT NULL,
    user_agent  text NOT NULL,
    detail      text NOT NULL
);
CREATE INDEX audit_tenant_time ON audit_events (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX audit_tenant_type_time ON audit_events (tenant_id, type, occurred_at DESC, id DESC);

-- tenant_id is '' for operator tokens, which act on every tenant.
CREATE TABLE admin_tokens (
    id         text PRIMARY KEY,
    tenant_id  text NOT NULL,
    name       text NOT NULL,
    hash       bytea NOT NULL UNIQUE,
    created_at bigint NOT NULL
);

-- Second factors (issue 7). A method row holds its secret sealed with the
-- service keys; last_step makes a TOTP time step usable once. Recovery codes
-- are stored as SHA-256 hashes only. Both go with the guest.
CREATE TABLE mfa_methods (
    id           text COLLATE "C" PRIMARY KEY,
    tenant_id    text COLLATE "C" NOT NULL,
    guest_id     text COLLATE "C" NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    kind         text NOT NULL,
    secret       bytea NOT NULL,
    last_step    bigint NOT NULL,
    created_at   bigint NOT NULL,
    confirmed_at bigint NOT NULL
);
CREATE INDEX mfa_methods_guest ON mfa_methods (tenant_id, guest_id);

CREATE TABLE recovery_codes (
    tenant_id  text COLLATE "C" NOT NULL,
    guest_id   text COLLATE "C" NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL,
    PRIMARY KEY (tenant_id, guest_id, code_hash)
);

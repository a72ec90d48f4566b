-- Second factors (issue 7). A method row holds its secret sealed with the
-- service keys; last_step makes a TOTP time step usable once. Recovery codes
-- are stored as SHA-256 hashes only. Both go with the guest.
CREATE TABLE mfa_methods (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    guest_id     TEXT NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    secret       BLOB NOT NULL,
    last_step    INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX mfa_methods_guest ON mfa_methods (tenant_id, guest_id);

CREATE TABLE recovery_codes (
    tenant_id  TEXT NOT NULL,
    guest_id   TEXT NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    PRIMARY KEY (tenant_id, guest_id, code_hash)
) STRICT;

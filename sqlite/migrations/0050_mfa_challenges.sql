-- Second-factor ceremonies in progress (issue 7: passkeys and SMS): a
-- WebAuthn challenge's state or an SMS code's HMAC, bound to one sign-in
-- flow or one session ("flow:<hex id hash>" / "session:<id>"). One per
-- binding and kind: a new one replaces the old. Rows are single use and
-- expire; PurgeExpired removes the dead ones.
CREATE TABLE mfa_challenges (
    binding    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    guest_id   TEXT NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    method_id  TEXT NOT NULL,
    state      BLOB NOT NULL,
    code_mac   BLOB,
    attempts   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (binding, kind)
) STRICT;
CREATE INDEX mfa_challenges_expiry ON mfa_challenges (expires_at);
CREATE INDEX mfa_challenges_guest ON mfa_challenges (guest_id);

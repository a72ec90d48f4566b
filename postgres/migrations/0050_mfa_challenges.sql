-- Second-factor ceremonies in progress (issue 7: passkeys and SMS): a
-- WebAuthn challenge's state or an SMS code's HMAC, bound to one sign-in
-- flow or one session ("flow:<hex id hash>" / "session:<id>"). One per
-- binding and kind: a new one replaces the old. Rows are single use and
-- expire; PurgeExpired removes the dead ones.
CREATE TABLE mfa_challenges (
    binding    text COLLATE "C" NOT NULL,
    kind       text COLLATE "C" NOT NULL,
    tenant_id  text COLLATE "C" NOT NULL,
    guest_id   text COLLATE "C" NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    method_id  text COLLATE "C" NOT NULL,
    state      bytea NOT NULL,
    code_mac   bytea,
    attempts   integer NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    PRIMARY KEY (binding, kind)
);
CREATE INDEX mfa_challenges_expiry ON mfa_challenges (expires_at);
CREATE INDEX mfa_challenges_guest ON mfa_challenges (guest_id);

-- Federation (issue 8). A flow that went to an upstream identity provider
-- keeps what the callback must check: the provider, the SHA-256 of the
-- state parameter, the nonce and the sealed PKCE verifier. A guest keeps how
-- it redeemed ('mail' or an issuer) and signs in that way until an admin
-- resets the redemption.
ALTER TABLE flows ADD COLUMN upstream_id TEXT NOT NULL DEFAULT '';
ALTER TABLE flows ADD COLUMN upstream_state BLOB;
ALTER TABLE flows ADD COLUMN upstream_nonce TEXT NOT NULL DEFAULT '';
ALTER TABLE flows ADD COLUMN upstream_verifier BLOB;
ALTER TABLE guests ADD COLUMN redeemed_with TEXT NOT NULL DEFAULT '';
-- Guests who redeemed before federation existed did so by email code.
UPDATE guests SET redeemed_with = 'mail' WHERE redeemed_at <> 0;

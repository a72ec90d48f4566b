-- The algorithm an OIDC app's ID tokens are signed with
-- (id_token_signed_response_alg): RS256, or ES256 for clients that verify
-- it (a tenth of the signing cost). Empty means RS256.
ALTER TABLE applications ADD COLUMN id_token_alg text NOT NULL DEFAULT '';

-- Forward auth: a session's second token, carried by the __Secure- cookie
-- on the parent domain of proxied apps (--cookie-domain). Only its SHA-256
-- is stored; it lives and dies with its session row. NULL for sessions
-- made before this migration.
ALTER TABLE sessions ADD COLUMN proxy_token_hash bytea;
CREATE UNIQUE INDEX sessions_proxy_token ON sessions (proxy_token_hash);

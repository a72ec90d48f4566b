-- The application a sign-in is for (an OIDC client or a proxy app), so an
-- app's requireMfa can demand a second factor the tenant does not. Empty
-- when the guest signs in to the tenant itself.
ALTER TABLE flows ADD COLUMN app_id TEXT NOT NULL DEFAULT '';

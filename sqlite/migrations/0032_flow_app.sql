-- The application a sign-in is for (an OIDC client or a proxy app), so an
-- app's requireMfa can demand a second factor the tenant does not. Empty
-- when the guest signs in to the tenant itself.
ALTER TABLE flows ADD COLUMN app_id TEXT NOT NULL DEFAULT '';
-- A re-authentication for the guest's security page: a guest with a second
-- factor must prove it even where the tenant does not require one.
ALTER TABLE flows ADD COLUMN step_up INTEGER NOT NULL DEFAULT 0;

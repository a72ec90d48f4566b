-- The data a send code finds, for send.sql: one tenant with 4,000 invited
-- guests, as loadgen's send scenario sets up. Run it in a schema that
-- `guestpass migrate` created (see docs/benchmarks.md, "The PostgreSQL
-- ceiling of a send"); it empties the tables send.sql writes.
TRUNCATE limits, flows, audit_events, river_job;
DELETE FROM invitations WHERE tenant_id = 'tbench';
DELETE FROM guests WHERE tenant_id = 'tbench';
DELETE FROM tenants WHERE id = 'tbench';
INSERT INTO tenants (id, display_name, verified_domains, email_otp, code_lifetime, session_lifetime,
    invitation_lifetime, invitation_quota_per_day, require_mfa_for_guests, allowed_domains,
    blocked_domains, created_at, updated_at)
VALUES ('tbench', 'Bench', '[]', 'default', 1800000000000, 86400000000000, 2592000000000000, 100000,
    false, '[]', '[]', 0, 0);
INSERT INTO guests (id, tenant_id, mail, display_name, state, invited_by, invited_at, redeemed_at,
    last_sign_in_at, created_at, updated_at)
SELECT 'g' || i, 'tbench', 'guest' || i || '@partner.example', 'Guest ' || i, 'pendingAcceptance',
    'op', 0, 0, 0, 0, 0
FROM generate_series(1, 4000) i;
INSERT INTO invitations (id, tenant_id, guest_id, invited_by, redirect_url, message, ticket_hash,
    status, send_count, last_mail_id, delivery_state, delivery_error, expires_at, created_at,
    updated_at, redeemed_at)
SELECT 'i' || i, 'tbench', 'g' || i, 'op', '', '', sha256(('t' || i)::bytea), 'pendingAcceptance',
    1, '', 'sent', '', 9000000000000000000, 0, 0, 0
FROM generate_series(1, 4000) i;
ANALYZE;

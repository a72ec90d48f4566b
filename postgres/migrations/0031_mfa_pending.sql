-- At most one pending (unconfirmed) second factor per guest: a reload or two
-- racing GET /mfa reuse it instead of piling up rows. Older duplicates are
-- dropped first, keeping each guest's newest pending row.
DELETE FROM mfa_methods
WHERE confirmed_at = 0 AND EXISTS (
    SELECT 1 FROM mfa_methods AS n
    WHERE n.tenant_id = mfa_methods.tenant_id AND n.guest_id = mfa_methods.guest_id
      AND n.confirmed_at = 0
      AND (n.created_at > mfa_methods.created_at
           OR (n.created_at = mfa_methods.created_at AND n.id > mfa_methods.id)));
CREATE UNIQUE INDEX mfa_methods_one_pending ON mfa_methods (tenant_id, guest_id) WHERE confirmed_at = 0;

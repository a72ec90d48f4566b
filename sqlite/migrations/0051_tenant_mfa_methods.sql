-- The kinds of second factor a tenant's guests may use (mfaMethods), as a
-- JSON list. Existing tenants keep what they had: every kind.
ALTER TABLE tenants ADD COLUMN mfa_methods TEXT NOT NULL DEFAULT '["totp","passkey","sms"]';

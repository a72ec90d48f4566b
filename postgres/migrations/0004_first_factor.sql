-- How a sign-in's first factor was proven, so consent, a second factor and
-- the session all know it: an emailed code ('mail', amr ["otp"]) or an
-- upstream identity provider (its issuer, the upstream's amr).
ALTER TABLE flows ADD COLUMN amr text NOT NULL DEFAULT '[]';
ALTER TABLE flows ADD COLUMN idp text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN idp text NOT NULL DEFAULT 'mail';

-- Applications (OIDC clients and forward-auth hosts). Hosts and assignments
-- live in their own tables so the database enforces "a host belongs to one
-- application" and forgets the assignments of a deleted guest.
CREATE TABLE applications (
    id                        TEXT PRIMARY KEY,
    tenant_id                 TEXT NOT NULL REFERENCES tenants (id),
    display_name              TEXT NOT NULL,
    type                      TEXT NOT NULL,
    redirect_uris             TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    public                    INTEGER NOT NULL,
    secret_hash               BLOB,
    prev_secret_hash          BLOB,
    prev_secret_expires_at    INTEGER NOT NULL,
    assignment                TEXT NOT NULL,
    require_mfa               INTEGER NOT NULL,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL,
    UNIQUE (tenant_id, id)
) STRICT;
CREATE INDEX applications_page ON applications (tenant_id, created_at, id);

CREATE TABLE app_hosts (
    host      TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    app_id    TEXT NOT NULL,
    FOREIGN KEY (tenant_id, app_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX app_hosts_app ON app_hosts (app_id);

CREATE TABLE app_assignments (
    app_id    TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    guest_id  TEXT NOT NULL,
    PRIMARY KEY (app_id, guest_id),
    FOREIGN KEY (tenant_id, app_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, guest_id) REFERENCES guests (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX app_assignments_guest ON app_assignments (tenant_id, guest_id);

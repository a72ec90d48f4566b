-- Applications (OIDC clients and forward-auth hosts). Hosts and assignments
-- live in their own tables so the database enforces "a host belongs to one
-- application" and forgets the assignments of a deleted guest.
CREATE TABLE applications (
    id                        text COLLATE "C" PRIMARY KEY,
    tenant_id                 text COLLATE "C" NOT NULL REFERENCES tenants (id),
    display_name              text NOT NULL,
    type                      text NOT NULL,
    redirect_uris             text NOT NULL,
    post_logout_redirect_uris text NOT NULL,
    public                    boolean NOT NULL,
    secret_hash               bytea,
    prev_secret_hash          bytea,
    prev_secret_expires_at    bigint NOT NULL,
    assignment                text NOT NULL,
    require_mfa               boolean NOT NULL,
    created_at                bigint NOT NULL,
    updated_at                bigint NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE INDEX applications_page ON applications (tenant_id, created_at, id);

CREATE TABLE app_hosts (
    host      text COLLATE "C" PRIMARY KEY,
    tenant_id text COLLATE "C" NOT NULL,
    app_id    text COLLATE "C" NOT NULL,
    FOREIGN KEY (tenant_id, app_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX app_hosts_app ON app_hosts (app_id);

CREATE TABLE app_assignments (
    app_id    text COLLATE "C" NOT NULL,
    tenant_id text COLLATE "C" NOT NULL,
    guest_id  text COLLATE "C" NOT NULL,
    PRIMARY KEY (app_id, guest_id),
    FOREIGN KEY (tenant_id, app_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, guest_id) REFERENCES guests (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX app_assignments_guest ON app_assignments (tenant_id, guest_id);

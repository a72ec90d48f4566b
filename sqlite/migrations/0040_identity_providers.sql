-- Upstream identity providers per tenant (federation, issue 8). The client
-- secret is sealed by the service before it reaches the database.
CREATE TABLE identity_providers (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    display_name  TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    sealed_secret BLOB,
    scopes        TEXT NOT NULL,
    email_domains TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX identity_providers_page ON identity_providers (tenant_id, created_at, id);

-- Upstream identity providers per tenant (federation, issue 8). The client
-- secret is sealed by the service before it reaches the database.
CREATE TABLE identity_providers (
    id            text COLLATE "C" PRIMARY KEY,
    tenant_id     text COLLATE "C" NOT NULL REFERENCES tenants (id),
    display_name  text NOT NULL,
    issuer        text NOT NULL,
    client_id     text NOT NULL,
    sealed_secret bytea,
    scopes        text NOT NULL,
    email_domains text NOT NULL,
    created_at    bigint NOT NULL,
    updated_at    bigint NOT NULL
);
CREATE INDEX identity_providers_page ON identity_providers (tenant_id, created_at, id);

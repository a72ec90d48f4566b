package postgres

import (
	"context"

	"github.com/guestpass/guestpass"
)

const idpCols = `id, tenant_id, display_name, issuer, client_id, sealed_secret, scopes, email_domains, created_at, updated_at`

func scanIDP(sc scanner) (*guestpass.IdentityProvider, error) {
	var p guestpass.IdentityProvider
	err := sc.Scan(&p.ID, &p.TenantID, &p.DisplayName, &p.Issuer, &p.ClientID, &p.SealedSecret,
		list(&p.Scopes), list(&p.EmailDomains), ts(&p.CreatedAt), ts(&p.UpdatedAt))
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (q queries) CreateIdentityProvider(ctx context.Context, p *guestpass.IdentityProvider) error {
	_, err := q.db.Exec(ctx, `INSERT INTO identity_providers (`+idpCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		p.ID, p.TenantID, p.DisplayName, p.Issuer, p.ClientID, p.SealedSecret,
		jsonList(p.Scopes), jsonList(p.EmailDomains), nanos(p.CreatedAt), nanos(p.UpdatedAt))
	return dbErr("create identity provider", err)
}

func (q queries) GetIdentityProvider(ctx context.Context, tenantID, id string) (*guestpass.IdentityProvider, error) {
	p, err := scanIDP(q.db.QueryRow(ctx, `SELECT `+idpCols+` FROM identity_providers WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return nil, dbErr("get identity provider", err)
	}
	return p, nil
}

func (q queries) UpdateIdentityProvider(ctx context.Context, p *guestpass.IdentityProvider) error {
	res, err := q.db.Exec(ctx, `UPDATE identity_providers SET display_name = $3, issuer = $4, client_id = $5,
		sealed_secret = $6, scopes = $7, email_domains = $8, updated_at = $9 WHERE tenant_id = $1 AND id = $2`,
		p.TenantID, p.ID, p.DisplayName, p.Issuer, p.ClientID, p.SealedSecret,
		jsonList(p.Scopes), jsonList(p.EmailDomains), nanos(p.UpdatedAt))
	return affected("update identity provider", res, err)
}

func (q queries) DeleteIdentityProvider(ctx context.Context, tenantID, id string) error {
	res, err := q.db.Exec(ctx, `DELETE FROM identity_providers WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affected("delete identity provider", res, err)
}

// ListIdentityProviders lists a tenant's providers oldest first.
func (q queries) ListIdentityProviders(ctx context.Context, tenantID string, p guestpass.Page) ([]*guestpass.IdentityProvider, string, error) {
	return listing[*guestpass.IdentityProvider]{
		op:    "list identity providers",
		query: `SELECT ` + idpCols + ` FROM identity_providers WHERE tenant_id = $1`,
		col:   "created_at",
		scan:  scanIDP,
		key:   func(p *guestpass.IdentityProvider) pageKey { return pageKey{At: nanos(p.CreatedAt), ID: p.ID} },
	}.run(ctx, q.db, p, tenantID)
}

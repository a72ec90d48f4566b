package sqlite

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
	_, err := q.wr.ExecContext(ctx, `INSERT INTO identity_providers (`+idpCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.TenantID, p.DisplayName, p.Issuer, p.ClientID, p.SealedSecret,
		jsonList(p.Scopes), jsonList(p.EmailDomains), nanos(p.CreatedAt), nanos(p.UpdatedAt))
	return dbErr("create identity provider", err)
}

func (q queries) GetIdentityProvider(ctx context.Context, tenantID, id string) (*guestpass.IdentityProvider, error) {
	p, err := scanIDP(q.rd.QueryRowContext(ctx, `SELECT `+idpCols+` FROM identity_providers WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if err != nil {
		return nil, dbErr("get identity provider", err)
	}
	return p, nil
}

func (q queries) UpdateIdentityProvider(ctx context.Context, p *guestpass.IdentityProvider) error {
	res, err := q.wr.ExecContext(ctx, `UPDATE identity_providers SET display_name = ?, issuer = ?, client_id = ?,
		sealed_secret = ?, scopes = ?, email_domains = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
		p.DisplayName, p.Issuer, p.ClientID, p.SealedSecret,
		jsonList(p.Scopes), jsonList(p.EmailDomains), nanos(p.UpdatedAt), p.TenantID, p.ID)
	return affected("update identity provider", res, err)
}

func (q queries) DeleteIdentityProvider(ctx context.Context, tenantID, id string) error {
	res, err := q.wr.ExecContext(ctx, `DELETE FROM identity_providers WHERE tenant_id = ? AND id = ?`, tenantID, id)
	return affected("delete identity provider", res, err)
}

// ListIdentityProviders lists a tenant's providers oldest first.
func (q queries) ListIdentityProviders(ctx context.Context, tenantID string, p guestpass.Page) ([]*guestpass.IdentityProvider, string, error) {
	return listing[*guestpass.IdentityProvider]{
		op:    "list identity providers",
		query: `SELECT ` + idpCols + ` FROM identity_providers WHERE tenant_id = ?`,
		col:   "created_at",
		scan:  scanIDP,
		key:   func(p *guestpass.IdentityProvider) pageKey { return pageKey{At: nanos(p.CreatedAt), ID: p.ID} },
	}.run(ctx, q.rd, p, tenantID)
}

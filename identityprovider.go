package guestpass

import (
	"context"
	"time"
)

// IdentityProvider is an upstream OpenID provider a tenant trusts to prove
// the identity of guests whose address is in one of EmailDomains. Guests of
// those domains sign in there first and fall back to an email code only when
// no provider matches (issue 8).
type IdentityProvider struct {
	ID          string
	TenantID    string
	DisplayName string
	Issuer      string
	ClientID    string
	// SealedSecret is the client secret sealed with Keys.Seal: a database
	// dump alone must not let anyone impersonate GuestPass upstream.
	SealedSecret []byte
	Scopes       []string
	// EmailDomains are normalized (lower-case) domains; a domain belongs to
	// at most one provider of a tenant, which the service checks on save.
	EmailDomains []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// IdentityProviderQueries persist a tenant's upstream identity providers.
type IdentityProviderQueries interface {
	CreateIdentityProvider(ctx context.Context, p *IdentityProvider) error
	// GetIdentityProvider returns ErrNotFound for an unknown id.
	GetIdentityProvider(ctx context.Context, tenantID, id string) (*IdentityProvider, error)
	UpdateIdentityProvider(ctx context.Context, p *IdentityProvider) error
	DeleteIdentityProvider(ctx context.Context, tenantID, id string) error
	// ListIdentityProviders lists a tenant's providers oldest first.
	ListIdentityProviders(ctx context.Context, tenantID string, p Page) ([]*IdentityProvider, string, error)
}

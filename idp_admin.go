package guestpass

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// Identity provider limits: enough for any real federation, small enough
// that one provider cannot bloat the per-sign-in domain lookup.
const (
	maxIDPDomains    = 100
	maxIDPScopes     = 20
	maxIDPFieldBytes = 1024
)

// IdentityProviderInput creates an identity provider or, with nil fields
// left alone, patches one. ClientSecret is write-only.
type IdentityProviderInput struct {
	DisplayName  *string
	Type         *string // only "oidc"
	Issuer       *string
	ClientID     *string
	ClientSecret *string
	Scopes       *[]string
	Domains      *[]string
}

// FederationCallbackPath is the upstream redirect URI's path below the
// tenant: one callback per tenant, the flow cookie says which provider.
const FederationCallbackPath = "/federation/callback"

// FederationRedirectURI is the callback an admin registers at the upstream
// provider.
func (s *Service) FederationRedirectURI(tenantID string) string {
	return s.TenantURL(tenantID, FederationCallbackPath)
}

func (in *IdentityProviderInput) apply(p *IdentityProvider) {
	set(&p.DisplayName, in.DisplayName)
	set(&p.Issuer, in.Issuer)
	set(&p.ClientID, in.ClientID)
	set(&p.Scopes, in.Scopes)
	set(&p.EmailDomains, in.Domains)
}

// normalizeIDP validates a provider and puts its lists in canonical form.
// devIssuers allows http and loopback issuers (a loopback base URL).
func normalizeIDP(p *IdentityProvider, devIssuers bool) error {
	p.DisplayName = strings.TrimSpace(p.DisplayName)
	if p.DisplayName == "" {
		return Errorf(KindInvalid, "missing_field", "displayName is required")
	}
	if err := validDisplayName(p.DisplayName, "displayName"); err != nil {
		return err
	}
	if err := ValidateIssuer(p.Issuer, devIssuers); err != nil {
		return err
	}
	if p.ClientID == "" || len(p.ClientID) > maxIDPFieldBytes || hasControl(p.ClientID) {
		return Errorf(KindInvalid, "invalid_client_id", "clientId is required, printable, at most %d bytes", maxIDPFieldBytes)
	}
	var err error
	if p.Scopes, err = scopeList(p.Scopes); err != nil {
		return err
	}
	if len(p.EmailDomains) == 0 {
		return Errorf(KindInvalid, "invalid_domain", "domains needs at least one email domain")
	}
	if len(p.EmailDomains) > maxIDPDomains {
		return Errorf(KindInvalid, "invalid_domain", "domains holds more than %d entries", maxIDPDomains)
	}
	p.EmailDomains, err = domainList(p.EmailDomains, "domains", false)
	return err
}

// ValidateIssuer accepts an absolute https URL without query, fragment or
// credentials; http and loopback hosts only in development (dev).
func ValidateIssuer(raw string, dev bool) error {
	u, err := url.Parse(raw)
	bad := err != nil || len(raw) > maxIDPFieldBytes || u.Host == "" || u.User != nil || u.RawQuery != "" ||
		u.Fragment != "" || u.Opaque != "" || strings.HasSuffix(raw, "?") || strings.HasSuffix(raw, "#")
	if bad || (u.Scheme != "https" && (u.Scheme != "http" || !dev)) {
		return Errorf(KindInvalid, "invalid_issuer", "issuer must be an absolute https URL without query or fragment")
	}
	if isLoopbackHost(u.Hostname()) && !dev {
		return Errorf(KindInvalid, "invalid_issuer", "a loopback issuer is allowed only when GuestPass itself runs on loopback")
	}
	return nil
}

// scopeList checks scope tokens (RFC 6749 §3.3) and makes sure openid is
// asked for; the default is openid and email.
func scopeList(in []string) ([]string, error) {
	if len(in) == 0 {
		return []string{"openid", "email"}, nil
	}
	if len(in) > maxIDPScopes {
		return nil, Errorf(KindInvalid, "invalid_scope", "scopes holds more than %d entries", maxIDPScopes)
	}
	out := []string{"openid"}
	for _, sc := range in {
		if sc == "" || len(sc) > 128 || strings.ContainsFunc(sc, func(r rune) bool {
			return r < 0x21 || r > 0x7e || r == '"' || r == '\\'
		}) {
			return nil, Errorf(KindInvalid, "invalid_scope", "scope %s is not a valid scope token", quoteSafe(sc))
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == unicode.ReplacementChar })
}

// devIssuers: http and loopback issuers are for a GuestPass on loopback.
func (s *Service) devIssuers() bool { return isLoopbackHost(s.base.Hostname()) }

func (s *Service) getIDP(ctx context.Context, q Queries, tenantID, id string) (*IdentityProvider, error) {
	p, err := q.GetIdentityProvider(ctx, tenantID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(KindNotFound, "identity_provider_not_found", "no identity provider with id %s", quoteSafe(id))
	}
	return p, internal("get identity provider", err)
}

// checkDomainsFree refuses a domain another provider of the tenant claims:
// the redemption order must name exactly one provider per domain.
func (s *Service) checkDomainsFree(ctx context.Context, q Queries, p *IdentityProvider) error {
	others, err := s.tenantIDPs(ctx, q, p.TenantID)
	if err != nil {
		return err
	}
	for _, o := range others {
		if o.ID == p.ID {
			continue
		}
		for _, d := range p.EmailDomains {
			if slices.Contains(o.EmailDomains, d) {
				return Errorf(KindConflict, "domain_taken", "%s already belongs to identity provider %s", d, quoteSafe(o.DisplayName))
			}
		}
	}
	return nil
}

// discover checks the issuer's discovery document before anything is
// written: an admin learns at once that the issuer is wrong.
func (s *Service) discover(ctx context.Context, issuer string) error {
	if s.upstream == nil {
		return Errorf(KindInvalid, "invalid_issuer", "this GuestPass has no upstream OpenID client configured")
	}
	err := s.upstream.Discover(ctx, issuer)
	var e *Error
	if err != nil && !errors.As(err, &e) {
		err = Errorf(KindInvalid, "invalid_issuer", "the issuer's discovery document could not be used: %v", err)
	}
	return err
}

func (s *Service) sealIDPSecret(p *IdentityProvider, secret string) error {
	if len(secret) > maxIDPFieldBytes || hasControl(secret) {
		return Errorf(KindInvalid, "invalid_client_secret", "clientSecret must be printable, at most %d bytes", maxIDPFieldBytes)
	}
	if secret == "" {
		p.SealedSecret = nil
		return nil
	}
	sealed, err := s.keys.Seal([]byte(secret), idpSecretAD(p))
	if err != nil {
		return internal("seal client secret", err)
	}
	p.SealedSecret = sealed
	return nil
}

// idpSecretAD binds a sealed secret to its provider: it cannot be copied
// onto another row.
func idpSecretAD(p *IdentityProvider) []byte { return []byte("idp-secret:" + p.TenantID + ":" + p.ID) }

// CreateIdentityProvider registers an upstream provider after fetching its
// discovery document.
func (s *Service) CreateIdentityProvider(ctx context.Context, actor *AdminToken, tenantID string, in *IdentityProviderInput) (*IdentityProvider, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, err
	}
	return s.createIDP(ctx, actorID(actor), tenantID, in)
}

// CreateIdentityProviderLocal is CreateIdentityProvider for the local CLI.
func (s *Service) CreateIdentityProviderLocal(ctx context.Context, tenantID string, in *IdentityProviderInput) (*IdentityProvider, error) {
	return s.createIDP(ctx, "local", tenantID, in)
}

func (s *Service) createIDP(ctx context.Context, actor, tenantID string, in *IdentityProviderInput) (*IdentityProvider, error) {
	if in.Type != nil && *in.Type != "oidc" {
		return nil, Errorf(KindInvalid, "invalid_type", "type must be oidc")
	}
	if in.DisplayName == nil || in.Issuer == nil || in.ClientID == nil || in.Domains == nil {
		return nil, Errorf(KindInvalid, "missing_field", "displayName, issuer, clientId and domains are required")
	}
	now := s.clock.Now()
	p := &IdentityProvider{TenantID: tenantID, CreatedAt: now, UpdatedAt: now}
	in.apply(p)
	if err := normalizeIDP(p, s.devIssuers()); err != nil {
		return nil, err
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	p.ID = id
	if in.ClientSecret != nil {
		if err := s.sealIDPSecret(p, *in.ClientSecret); err != nil {
			return nil, err
		}
	}
	if err := s.discover(ctx, p.Issuer); err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx Tx) error {
		if _, err := s.getTenant(ctx, tx, tenantID); err != nil {
			return err
		}
		if err := s.checkDomainsFree(ctx, tx, p); err != nil {
			return err
		}
		if err := tx.CreateIdentityProvider(ctx, p); err != nil {
			return internal("create identity provider", err)
		}
		if err := s.recordChange(ctx, tx, Change{Kind: ChangeTenant, TenantID: tenantID}); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "identityProvider.create", Outcome: "success", Actor: actor, Detail: p.ID + " " + p.Issuer})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// GetIdentityProvider returns one provider.
func (s *Service) GetIdentityProvider(ctx context.Context, actor *AdminToken, tenantID, id string) (*IdentityProvider, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, err
	}
	return s.getIDP(ctx, s.store, tenantID, id)
}

// ListIdentityProviders pages through a tenant's providers.
func (s *Service) ListIdentityProviders(ctx context.Context, actor *AdminToken, tenantID string, p Page) ([]*IdentityProvider, string, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, "", err
	}
	if _, err := s.getTenant(ctx, s.store, tenantID); err != nil {
		return nil, "", err
	}
	ps, next, err := s.store.ListIdentityProviders(ctx, tenantID, p)
	return ps, next, internal("list identity providers", err)
}

// UpdateIdentityProvider patches a provider; the discovery document is
// fetched again, so a saved provider is always one that answered.
func (s *Service) UpdateIdentityProvider(ctx context.Context, actor *AdminToken, tenantID, id string, in *IdentityProviderInput) (*IdentityProvider, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, err
	}
	if in.Type != nil && *in.Type != "oidc" {
		return nil, Errorf(KindInvalid, "invalid_type", "type must be oidc")
	}
	p, err := s.getIDP(ctx, s.store, tenantID, id)
	if err != nil {
		return nil, err
	}
	in.apply(p)
	if err := normalizeIDP(p, s.devIssuers()); err != nil {
		return nil, err
	}
	if in.ClientSecret != nil {
		if err := s.sealIDPSecret(p, *in.ClientSecret); err != nil {
			return nil, err
		}
	}
	if err := s.discover(ctx, p.Issuer); err != nil {
		return nil, err
	}
	p.UpdatedAt = s.clock.Now()
	err = s.update(ctx, func(tx Tx) error {
		if _, err := s.getIDP(ctx, tx, tenantID, id); err != nil {
			return err
		}
		if err := s.checkDomainsFree(ctx, tx, p); err != nil {
			return err
		}
		if err := tx.UpdateIdentityProvider(ctx, p); err != nil {
			return internal("update identity provider", err)
		}
		if err := s.recordChange(ctx, tx, Change{Kind: ChangeTenant, TenantID: tenantID}); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "identityProvider.update", Outcome: "success", Actor: actorID(actor), Detail: p.ID + " " + p.Issuer})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// DeleteIdentityProvider removes a provider. Guests who redeemed with it
// are refused until an admin resets their redemption (docs/federation.md).
func (s *Service) DeleteIdentityProvider(ctx context.Context, actor *AdminToken, tenantID, id string) error {
	if err := authorize(actor, tenantID); err != nil {
		return err
	}
	return s.update(ctx, func(tx Tx) error {
		p, err := s.getIDP(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteIdentityProvider(ctx, tenantID, id); err != nil {
			return internal("delete identity provider", err)
		}
		if err := s.recordChange(ctx, tx, Change{Kind: ChangeTenant, TenantID: tenantID}); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "identityProvider.delete", Outcome: "success", Actor: actorID(actor), Detail: p.ID + " " + p.Issuer})
	})
}

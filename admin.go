package guestpass

import (
	"context"
	"errors"
)

// Authenticate resolves a bearer token to the admin token it names.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*AdminToken, error) {
	if len(bearer) < 20 || len(bearer) > 200 {
		return nil, Errorf(KindUnauthorized, "invalid_token", "missing or malformed bearer token")
	}
	t, err := s.store.GetAdminToken(ctx, HashToken(bearer))
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(KindUnauthorized, "invalid_token", "unknown or revoked token")
	}
	return t, internal("get admin token", err)
}

// authorize checks that actor may act on tenantID.
func authorize(actor *AdminToken, tenantID string) error {
	if actor == nil {
		return Errorf(KindUnauthorized, "invalid_token", "authentication required")
	}
	if actor.Operator() || actor.TenantID == tenantID {
		return nil
	}
	return Errorf(KindForbidden, "forbidden", "this token is not valid for organization %s", quoteSafe(tenantID))
}

func operatorOnly(actor *AdminToken) error {
	if actor == nil {
		return Errorf(KindUnauthorized, "invalid_token", "authentication required")
	}
	if !actor.Operator() {
		return Errorf(KindForbidden, "forbidden", "only an operator token may do this")
	}
	return nil
}

// CreateAdminToken makes a token for one tenant, or an operator token when
// tenantID is empty. actor nil means the local CLI with database access,
// which is trusted like an operator. The secret is returned once.
func (s *Service) CreateAdminToken(ctx context.Context, actor *AdminToken, tenantID, name string) (string, *AdminToken, error) {
	if actor != nil {
		if err := operatorOnly(actor); err != nil {
			return "", nil, err
		}
	}
	if err := validDisplayName(name, "name"); err != nil {
		return "", nil, err
	}
	if tenantID != "" {
		if _, err := s.getTenant(ctx, s.store, tenantID); err != nil {
			return "", nil, err
		}
	}
	secret, err := NewToken(s.rand)
	if err != nil {
		return "", nil, err
	}
	secret = "gp_" + secret
	id, err := s.newID()
	if err != nil {
		return "", nil, err
	}
	t := &AdminToken{ID: id, TenantID: tenantID, Name: name, Hash: HashToken(secret), CreatedAt: s.clock.Now()}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateAdminToken(ctx, t); err != nil {
			return internal("create token", err)
		}
		if tenantID == "" {
			return nil
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: tenantID, Type: AuditAdmin, Action: "token.create", Outcome: "success", Actor: actorID(actor), Detail: t.ID})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

func actorID(a *AdminToken) string {
	if a == nil {
		return "cli"
	}
	return "token:" + a.ID
}

// CreateTenant creates an organization (operators only).
func (s *Service) CreateTenant(ctx context.Context, actor *AdminToken, t *Tenant) (*Tenant, error) {
	if err := operatorOnly(actor); err != nil {
		return nil, err
	}
	return s.createTenant(ctx, actorID(actor), t)
}

func (s *Service) createTenant(ctx context.Context, actor string, t *Tenant) (*Tenant, error) {
	if err := t.Normalize(); err != nil {
		return nil, err
	}
	if err := s.checkOffered(t); err != nil {
		return nil, err
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	t.ID, t.CreatedAt, t.UpdatedAt = id, s.clock.Now(), s.clock.Now()
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateTenant(ctx, t); err != nil {
			return internal("create tenant", err)
		}
		return s.audit(ctx, tx, AuditEvent{TenantID: t.ID, Type: AuditAdmin, Action: "tenant.create", Outcome: "success", Actor: actor})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// CreateTenantLocal is CreateTenant for the trusted local CLI and --demo.
func (s *Service) CreateTenantLocal(ctx context.Context, t *Tenant) (*Tenant, error) {
	return s.createTenant(ctx, "cli", t)
}

// GetTenant returns one tenant.
func (s *Service) GetTenant(ctx context.Context, actor *AdminToken, id string) (*Tenant, error) {
	if err := authorize(actor, id); err != nil {
		return nil, err
	}
	return s.loadTenant(ctx, s.store, id) // read after write on any node: not the cache
}

// ListTenants lists every tenant for an operator, the token's own for a
// tenant admin.
func (s *Service) ListTenants(ctx context.Context, actor *AdminToken, p Page) ([]*Tenant, string, error) {
	if actor == nil {
		return nil, "", authorize(actor, "")
	}
	if !actor.Operator() {
		t, err := s.loadTenant(ctx, s.store, actor.TenantID)
		if err != nil {
			return nil, "", err
		}
		return []*Tenant{t}, "", nil
	}
	ts, next, err := s.store.ListTenants(ctx, p)
	return ts, next, internal("list tenants", err)
}

// UpdateTenant applies a patch, validated as a whole, and records it.
func (s *Service) UpdateTenant(ctx context.Context, actor *AdminToken, id string, p *TenantPatch) (*Tenant, error) {
	if err := authorize(actor, id); err != nil {
		return nil, err
	}
	var out *Tenant
	err := s.update(ctx, func(tx Tx) error {
		t, err := s.getTenant(ctx, tx, id)
		if err != nil {
			return err
		}
		p.Apply(t)
		if err := t.Normalize(); err != nil {
			return err
		}
		// Only a patch naming mfaMethods is held to what this server runs:
		// other changes must not fail on a setting nobody touched.
		if p.MFAMethods != nil {
			if err := s.checkOffered(t); err != nil {
				return err
			}
		}
		t.UpdatedAt = s.clock.Now()
		if err := tx.UpdateTenant(ctx, t); err != nil {
			return internal("update tenant", err)
		}
		if err := s.recordChange(ctx, tx, Change{Kind: ChangeTenant, TenantID: id}); err != nil {
			return err
		}
		out = t
		return s.audit(ctx, tx, AuditEvent{TenantID: id, Type: AuditAdmin, Action: "tenant.update", Outcome: "success", Actor: actorID(actor)})
	})
	return out, err
}

// ListAudit pages through a tenant's audit log.
func (s *Service) ListAudit(ctx context.Context, actor *AdminToken, tenantID string, typ AuditType, p Page) ([]*AuditEvent, string, error) {
	if err := authorize(actor, tenantID); err != nil {
		return nil, "", err
	}
	switch typ {
	case "", AuditSignIn, AuditAdmin, AuditMail:
	default:
		return nil, "", Errorf(KindInvalid, "invalid_filter", "type must be signIn, admin or mail")
	}
	if _, err := s.getTenant(ctx, s.store, tenantID); err != nil {
		return nil, "", err
	}
	es, next, err := s.store.ListAudit(ctx, tenantID, typ, p)
	return es, next, internal("list audit", err)
}

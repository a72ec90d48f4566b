package postgres

import (
	"context"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/storeutil"
)

const tenantCols = `id, display_name, verified_domains, email_otp, code_lifetime, session_lifetime,
	invitation_lifetime, invitation_quota_per_day, require_mfa_for_guests, allowed_domains,
	blocked_domains, created_at, updated_at, mfa_methods`

func scanTenant(sc scanner) (*guestpass.Tenant, error) {
	var t guestpass.Tenant
	s := &t.Settings
	var mfa []string
	var codeLife, sessLife, invLife int64
	err := sc.Scan(&t.ID, &t.DisplayName, list(&t.VerifiedDomains), &s.EmailOTP, &codeLife,
		&sessLife, &invLife, &s.InvitationQuotaPerDay, &s.RequireMFAForGuests,
		list(&s.AllowedDomains), list(&s.BlockedDomains), ts(&t.CreatedAt), ts(&t.UpdatedAt), list(&mfa))
	if err != nil {
		return nil, err
	}
	s.MFAMethods = storeutil.Kinds(mfa)
	s.CodeLifetime, s.SessionLifetime = time.Duration(codeLife), time.Duration(sessLife)
	s.InvitationLifetime = time.Duration(invLife)
	return &t, nil
}

func (q queries) CreateTenant(ctx context.Context, t *guestpass.Tenant) error {
	s := t.Settings
	_, err := q.db.Exec(ctx, `INSERT INTO tenants (`+tenantCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		t.ID, t.DisplayName, jsonList(t.VerifiedDomains), string(s.EmailOTP), int64(s.CodeLifetime),
		int64(s.SessionLifetime), int64(s.InvitationLifetime), s.InvitationQuotaPerDay,
		s.RequireMFAForGuests, jsonList(s.AllowedDomains), jsonList(s.BlockedDomains),
		nanos(t.CreatedAt), nanos(t.UpdatedAt), storeutil.KindsJSON(s.MFAMethods))
	return dbErr("create tenant", err)
}

func (q queries) GetTenant(ctx context.Context, id string) (*guestpass.Tenant, error) {
	t, err := scanTenant(q.db.QueryRow(ctx, `SELECT `+tenantCols+` FROM tenants WHERE id = $1`, id))
	if err != nil {
		return nil, dbErr("get tenant", err)
	}
	return t, nil
}

func (q queries) UpdateTenant(ctx context.Context, t *guestpass.Tenant) error {
	s := t.Settings
	tag, err := q.db.Exec(ctx, `UPDATE tenants SET display_name = $1, verified_domains = $2,
		email_otp = $3, code_lifetime = $4, session_lifetime = $5, invitation_lifetime = $6,
		invitation_quota_per_day = $7, require_mfa_for_guests = $8, allowed_domains = $9,
		blocked_domains = $10, updated_at = $11, mfa_methods = $12
		WHERE id = $13`,
		t.DisplayName, jsonList(t.VerifiedDomains), string(s.EmailOTP), int64(s.CodeLifetime),
		int64(s.SessionLifetime), int64(s.InvitationLifetime), s.InvitationQuotaPerDay,
		s.RequireMFAForGuests, jsonList(s.AllowedDomains), jsonList(s.BlockedDomains),
		nanos(t.UpdatedAt), storeutil.KindsJSON(s.MFAMethods), t.ID)
	return affected("update tenant", tag, err)
}

// ListTenants lists tenants oldest first.
func (q queries) ListTenants(ctx context.Context, p guestpass.Page) ([]*guestpass.Tenant, string, error) {
	return listing[*guestpass.Tenant]{
		op:    "list tenants",
		query: `SELECT ` + tenantCols + ` FROM tenants WHERE true`,
		col:   "created_at",
		scan:  scanTenant,
		key:   func(t *guestpass.Tenant) pageKey { return pageKey{At: nanos(t.CreatedAt), ID: t.ID} },
	}.run(ctx, q.db, p)
}

const adminTokenCols = `id, tenant_id, name, hash, created_at`

func (q queries) CreateAdminToken(ctx context.Context, t *guestpass.AdminToken) error {
	_, err := q.db.Exec(ctx, `INSERT INTO admin_tokens (`+adminTokenCols+`) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, t.TenantID, t.Name, t.Hash, nanos(t.CreatedAt))
	return dbErr("create admin token", err)
}

func (q queries) GetAdminToken(ctx context.Context, hash []byte) (*guestpass.AdminToken, error) {
	var t guestpass.AdminToken
	err := q.db.QueryRow(ctx, `SELECT `+adminTokenCols+` FROM admin_tokens WHERE hash = $1`, hash).
		Scan(&t.ID, &t.TenantID, &t.Name, &t.Hash, ts(&t.CreatedAt))
	if err != nil {
		return nil, dbErr("get admin token", err)
	}
	return &t, nil
}

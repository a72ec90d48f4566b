package sqlite

import (
	"context"

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
	err := sc.Scan(&t.ID, &t.DisplayName, list(&t.VerifiedDomains), &s.EmailOTP, &s.CodeLifetime,
		&s.SessionLifetime, &s.InvitationLifetime, &s.InvitationQuotaPerDay, &s.RequireMFAForGuests,
		list(&s.AllowedDomains), list(&s.BlockedDomains), ts(&t.CreatedAt), ts(&t.UpdatedAt), list(&mfa))
	if err != nil {
		return nil, err
	}
	s.MFAMethods = storeutil.Kinds(mfa)
	return &t, nil
}

func (q queries) CreateTenant(ctx context.Context, t *guestpass.Tenant) error {
	s := t.Settings
	_, err := q.wr.ExecContext(ctx, `INSERT INTO tenants (`+tenantCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.DisplayName, jsonList(t.VerifiedDomains), s.EmailOTP, int64(s.CodeLifetime),
		int64(s.SessionLifetime), int64(s.InvitationLifetime), s.InvitationQuotaPerDay,
		s.RequireMFAForGuests, jsonList(s.AllowedDomains), jsonList(s.BlockedDomains),
		nanos(t.CreatedAt), nanos(t.UpdatedAt), storeutil.KindsJSON(s.MFAMethods))
	return dbErr("create tenant", err)
}

func (q queries) GetTenant(ctx context.Context, id string) (*guestpass.Tenant, error) {
	t, err := scanTenant(q.rd.QueryRowContext(ctx, `SELECT `+tenantCols+` FROM tenants WHERE id = ?`, id))
	if err != nil {
		return nil, dbErr("get tenant", err)
	}
	return t, nil
}

func (q queries) UpdateTenant(ctx context.Context, t *guestpass.Tenant) error {
	s := t.Settings
	res, err := q.wr.ExecContext(ctx, `UPDATE tenants SET display_name = ?, verified_domains = ?,
		email_otp = ?, code_lifetime = ?, session_lifetime = ?, invitation_lifetime = ?,
		invitation_quota_per_day = ?, require_mfa_for_guests = ?, allowed_domains = ?,
		blocked_domains = ?, updated_at = ?, mfa_methods = ?
		WHERE id = ?`,
		t.DisplayName, jsonList(t.VerifiedDomains), s.EmailOTP, int64(s.CodeLifetime),
		int64(s.SessionLifetime), int64(s.InvitationLifetime), s.InvitationQuotaPerDay,
		s.RequireMFAForGuests, jsonList(s.AllowedDomains), jsonList(s.BlockedDomains),
		nanos(t.UpdatedAt), storeutil.KindsJSON(s.MFAMethods), t.ID)
	return affected("update tenant", res, err)
}

// ListTenants lists tenants oldest first.
func (q queries) ListTenants(ctx context.Context, p guestpass.Page) ([]*guestpass.Tenant, string, error) {
	return listing[*guestpass.Tenant]{
		op:    "list tenants",
		query: `SELECT ` + tenantCols + ` FROM tenants WHERE true`,
		col:   "created_at",
		scan:  scanTenant,
		key:   func(t *guestpass.Tenant) pageKey { return pageKey{At: nanos(t.CreatedAt), ID: t.ID} },
	}.run(ctx, q.rd, p)
}

const adminTokenCols = `id, tenant_id, name, hash, created_at`

func (q queries) CreateAdminToken(ctx context.Context, t *guestpass.AdminToken) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO admin_tokens (`+adminTokenCols+`) VALUES (?, ?, ?, ?, ?)`,
		t.ID, t.TenantID, t.Name, t.Hash, nanos(t.CreatedAt))
	return dbErr("create admin token", err)
}

func (q queries) GetAdminToken(ctx context.Context, hash []byte) (*guestpass.AdminToken, error) {
	var t guestpass.AdminToken
	err := q.rd.QueryRowContext(ctx, `SELECT `+adminTokenCols+` FROM admin_tokens WHERE hash = ?`, hash).
		Scan(&t.ID, &t.TenantID, &t.Name, &t.Hash, ts(&t.CreatedAt))
	if err != nil {
		return nil, dbErr("get admin token", err)
	}
	return &t, nil
}

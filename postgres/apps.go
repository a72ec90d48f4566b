package postgres

import (
	"context"

	"github.com/guestpass/guestpass"
)

// appCols reads an application with its hosts and assignments in one row:
// the lists come from their tables as JSON arrays.
const appCols = `id, tenant_id, display_name, type, redirect_uris, post_logout_redirect_uris, public,
	secret_hash, prev_secret_hash, prev_secret_expires_at, assignment, require_mfa, created_at, updated_at, id_token_alg,
	(SELECT coalesce(json_agg(host ORDER BY host), '[]')::text FROM app_hosts h WHERE h.app_id = applications.id),
	(SELECT coalesce(json_agg(guest_id ORDER BY guest_id), '[]')::text FROM app_assignments s WHERE s.app_id = applications.id)`

func scanApp(sc scanner) (*guestpass.Application, error) {
	var a guestpass.Application
	err := sc.Scan(&a.ID, &a.TenantID, &a.DisplayName, &a.Type, list(&a.RedirectURIs),
		list(&a.PostLogoutRedirectURIs), &a.Public, &a.SecretHash, &a.PrevSecretHash,
		ts(&a.PrevSecretExpiresAt), &a.Assignment, &a.RequireMFA, ts(&a.CreatedAt), ts(&a.UpdatedAt), &a.IDTokenAlg,
		list(&a.Hosts), list(&a.AssignedGuestIDs))
	if err != nil {
		return nil, err
	}
	if len(a.Hosts) == 0 {
		a.Hosts = nil
	}
	if len(a.AssignedGuestIDs) == 0 {
		a.AssignedGuestIDs = nil
	}
	return &a, nil
}

func (q queries) CreateApplication(ctx context.Context, a *guestpass.Application) error {
	_, err := q.db.Exec(ctx, `INSERT INTO applications (id, tenant_id, display_name, type,
		redirect_uris, post_logout_redirect_uris, public, secret_hash, prev_secret_hash,
		prev_secret_expires_at, assignment, require_mfa, created_at, updated_at, id_token_alg)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		a.ID, a.TenantID, a.DisplayName, a.Type, jsonList(a.RedirectURIs), jsonList(a.PostLogoutRedirectURIs),
		a.Public, bytesOrNull(a.SecretHash), bytesOrNull(a.PrevSecretHash), nanos(a.PrevSecretExpiresAt),
		a.Assignment, a.RequireMFA, nanos(a.CreatedAt), nanos(a.UpdatedAt), a.IDTokenAlg)
	if err != nil {
		return dbErr("create application", err)
	}
	return q.insertAppLists(ctx, a)
}

// insertAppLists writes the hosts and assignments with one statement each.
func (q queries) insertAppLists(ctx context.Context, a *guestpass.Application) error {
	if len(a.Hosts) > 0 {
		if _, err := q.db.Exec(ctx, `INSERT INTO app_hosts (host, tenant_id, app_id)
			SELECT h, $2, $3 FROM unnest($1::text[]) AS h`, a.Hosts, a.TenantID, a.ID); err != nil {
			return dbErr("add application hosts", err)
		}
	}
	if len(a.AssignedGuestIDs) > 0 {
		if _, err := q.db.Exec(ctx, `INSERT INTO app_assignments (app_id, tenant_id, guest_id)
			SELECT $2, $3, g FROM unnest($1::text[]) AS g`, a.AssignedGuestIDs, a.ID, a.TenantID); err != nil {
			return dbErr("assign application", err)
		}
	}
	return nil
}

func (q queries) GetApplication(ctx context.Context, tenantID, id string) (*guestpass.Application, error) {
	a, err := scanApp(q.db.QueryRow(ctx, `SELECT `+appCols+` FROM applications WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return nil, dbErr("get application", err)
	}
	return a, nil
}

func (q queries) GetApplicationByID(ctx context.Context, id string) (*guestpass.Application, error) {
	a, err := scanApp(q.db.QueryRow(ctx, `SELECT `+appCols+` FROM applications WHERE id = $1`, id))
	if err != nil {
		return nil, dbErr("get application", err)
	}
	return a, nil
}

func (q queries) UpdateApplication(ctx context.Context, a *guestpass.Application) error {
	tag, err := q.db.Exec(ctx, `UPDATE applications SET display_name = $1, redirect_uris = $2,
		post_logout_redirect_uris = $3, public = $4, secret_hash = $5, prev_secret_hash = $6,
		prev_secret_expires_at = $7, assignment = $8, require_mfa = $9, updated_at = $10, id_token_alg = $11
		WHERE tenant_id = $12 AND id = $13`,
		a.DisplayName, jsonList(a.RedirectURIs), jsonList(a.PostLogoutRedirectURIs), a.Public,
		bytesOrNull(a.SecretHash), bytesOrNull(a.PrevSecretHash), nanos(a.PrevSecretExpiresAt),
		a.Assignment, a.RequireMFA, nanos(a.UpdatedAt), a.IDTokenAlg, a.TenantID, a.ID)
	if err := affected("update application", tag, err); err != nil {
		return err
	}
	if _, err := q.db.Exec(ctx, `DELETE FROM app_hosts WHERE app_id = $1`, a.ID); err != nil {
		return dbErr("update application hosts", err)
	}
	if _, err := q.db.Exec(ctx, `DELETE FROM app_assignments WHERE app_id = $1`, a.ID); err != nil {
		return dbErr("update application assignments", err)
	}
	return q.insertAppLists(ctx, a)
}

// DeleteApplication relies on ON DELETE CASCADE for hosts and assignments.
func (q queries) DeleteApplication(ctx context.Context, tenantID, id string) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM applications WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affected("delete application", tag, err)
}

// ListApplications lists a tenant's apps oldest first.
func (q queries) ListApplications(ctx context.Context, tenantID string, p guestpass.Page) ([]*guestpass.Application, string, error) {
	return listing[*guestpass.Application]{
		op:    "list applications",
		query: `SELECT ` + appCols + ` FROM applications WHERE tenant_id = $1`,
		col:   "created_at",
		scan:  scanApp,
		key:   func(a *guestpass.Application) pageKey { return pageKey{At: nanos(a.CreatedAt), ID: a.ID} },
	}.run(ctx, q.db, p, tenantID)
}

func (q queries) ApplicationByHost(ctx context.Context, host string) (*guestpass.Application, error) {
	a, err := scanApp(q.db.QueryRow(ctx, `SELECT `+appCols+` FROM applications
		WHERE id = (SELECT app_id FROM app_hosts WHERE host = $1)`, host))
	if err != nil {
		return nil, dbErr("application by host", err)
	}
	return a, nil
}

// ProxyApplications lists every tenant's proxy apps, for the in-memory
// host index.
func (q queries) ProxyApplications(ctx context.Context) ([]*guestpass.Application, error) {
	rows, err := q.db.Query(ctx, `SELECT `+appCols+` FROM applications WHERE type = 'proxy' ORDER BY id`)
	if err != nil {
		return nil, dbErr("proxy applications", err)
	}
	defer rows.Close()
	var out []*guestpass.Application
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, dbErr("proxy applications", err)
		}
		out = append(out, a)
	}
	return out, dbErr("proxy applications", rows.Err())
}

func (q queries) ApplicationsForGuest(ctx context.Context, tenantID, guestID string) ([]*guestpass.Application, error) {
	rows, err := q.db.Query(ctx, `SELECT `+appCols+` FROM applications WHERE tenant_id = $1
		AND (assignment = 'allGuests' OR id IN (SELECT app_id FROM app_assignments WHERE tenant_id = $1 AND guest_id = $2))
		ORDER BY display_name, id LIMIT 500`, tenantID, guestID)
	if err != nil {
		return nil, dbErr("applications for guest", err)
	}
	defer rows.Close()
	var out []*guestpass.Application
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, dbErr("applications for guest", err)
		}
		out = append(out, a)
	}
	return out, dbErr("applications for guest", rows.Err())
}

package postgres

import (
	"context"

	"github.com/guestpass/guestpass"
)

const auditCols = `id, tenant_id, occurred_at, type, action, outcome, reason, guest_id, actor, ip,
	user_agent, detail`

func scanAudit(sc scanner) (*guestpass.AuditEvent, error) {
	var e guestpass.AuditEvent
	err := sc.Scan(&e.ID, &e.TenantID, ts(&e.Time), &e.Type, &e.Action, &e.Outcome, &e.Reason,
		&e.GuestID, &e.Actor, &e.IP, &e.UserAgent, &e.Detail)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

func (q queries) AppendAudit(ctx context.Context, e *guestpass.AuditEvent) error {
	return q.execLate(ctx, "append audit", `INSERT INTO audit_events (`+auditCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.ID, e.TenantID, nanos(e.Time), e.Type, e.Action, e.Outcome, e.Reason, e.GuestID,
		e.Actor, e.IP, e.UserAgent, e.Detail)
}

// ListAudit lists newest first. The type filter is added only when set, so
// that each form has its own index.
func (q queries) ListAudit(ctx context.Context, tenantID string, typ guestpass.AuditType, p guestpass.Page) ([]*guestpass.AuditEvent, string, error) {
	query, args := `SELECT `+auditCols+` FROM audit_events WHERE tenant_id = $1`, []any{tenantID}
	if typ != "" {
		query, args = query+` AND type = $2`, append(args, typ)
	}
	return listing[*guestpass.AuditEvent]{
		op:    "list audit",
		query: query,
		col:   "occurred_at",
		desc:  true,
		scan:  scanAudit,
		key:   func(e *guestpass.AuditEvent) pageKey { return pageKey{At: nanos(e.Time), ID: e.ID} },
	}.run(ctx, q.db, p, args...)
}
